"""The email outbox (ARCHITECTURE invariant 3): a message becomes a sealed row in the
transaction that caused it; the worker delivers it through the real backend with retries,
backoff and a stable Message-ID, and records what happened."""

from __future__ import annotations

import base64
import json
import logging
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, mailers
from django.db import transaction

from budstikke.accounts.models import OutgoingEmail
from budstikke.core import clock
from budstikke.core.outbox import Schedule
from budstikke.vault.platform import seal_text, unseal_text

log = logging.getLogger(__name__)

PURPOSE = "outbox.email"
DELIVERY_MAILER = "delivery"
MAX_ATTEMPTS = 10
# A worker that claimed a message and died leaves it to the sweep after this long.
CLAIM_SECONDS = 300


SCHEDULE = Schedule(
    waiting=OutgoingEmail.Status.PENDING,
    max_attempts=MAX_ATTEMPTS,
    claim_for=timedelta(seconds=CLAIM_SECONDS),
    first_wait=timedelta(seconds=30),  # 30 s, 1 min, 2 min, … an hour at most
    longest_wait=timedelta(hours=1),
)


def _serialise(message: EmailMessage) -> str:
    attachments = []
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):
            raise TypeError("the outbox carries attachments given as (name, content, mimetype)")
        filename, content, mimetype = attachment
        raw = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        attachments.append([filename, base64.b64encode(raw).decode("ascii"), mimetype])
    alternatives = [
        [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
    ]
    return json.dumps(
        {
            "subject": str(message.subject),
            "body": str(message.body),
            "content_subtype": message.content_subtype,
            "from_email": message.from_email,
            "to": list(message.to),
            "cc": list(message.cc),
            "bcc": list(message.bcc),
            "reply_to": list(message.reply_to),
            "headers": {str(k): str(v) for k, v in message.extra_headers.items()},
            "alternatives": alternatives,
            "attachments": attachments,
        }
    )


def _deserialise(text: str) -> EmailMultiAlternatives:
    data: dict[str, Any] = json.loads(text)
    message = EmailMultiAlternatives(
        data["subject"],
        data["body"],
        data["from_email"],
        data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    message.content_subtype = data.get("content_subtype", "plain")
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


def message_of(row: OutgoingEmail) -> EmailMultiAlternatives:
    return _deserialise(unseal_text(row.sealed_message, purpose=PURPOSE))


@transaction.atomic
def enqueue(message: EmailMessage) -> OutgoingEmail:
    """Write the message to the outbox; it is handed to the worker once the transaction commits."""
    key = uuid.uuid4()
    if not any(name.lower() == "message-id" for name in message.extra_headers):
        domain = urlsplit(settings.PUBLIC_URL).hostname or "budstikke.invalid"
        message.extra_headers["Message-ID"] = f"<{key.hex}@{domain}>"
    row = OutgoingEmail.objects.create(
        idempotency_key=key, sealed_message=seal_text(_serialise(message), purpose=PURPOSE)
    )
    transaction.on_commit(lambda: _schedule(row.pk))
    return row


def _schedule(pk: int) -> None:
    from budstikke.accounts.tasks import deliver_email

    deliver_email(pk)


def deliver(pk: int) -> str | None:
    """Try to send one message now if it is due; returns its status afterwards (None if it
    was not due or another worker has it)."""
    if not SCHEDULE.claim(OutgoingEmail.objects.all(), pk):
        return None
    row = OutgoingEmail.objects.get(pk=pk)
    mine = SCHEDULE.mine(OutgoingEmail.objects.all(), row)
    try:
        message = message_of(row)
        sent = mailers[DELIVERY_MAILER].send_messages([message])
        if not sent:
            raise RuntimeError("the mail backend accepted nothing")
    except Exception as error:
        retry = SCHEDULE.retry(row.attempts, clock.now())
        mine.update(**retry, last_error=type(error).__name__[:200])
        log.warning(
            "email %s attempt %s failed: %s", row.idempotency_key, row.attempts, retry["status"]
        )
        return str(retry["status"])
    mine.update(
        status=OutgoingEmail.Status.SENT, claimed_until=None, sent_at=clock.now(), last_error=""
    )
    return OutgoingEmail.Status.SENT


def due() -> list[int]:
    return SCHEDULE.due_ids(OutgoingEmail.objects.all(), limit=500)


def deliver_due() -> int:
    """Deliver every message that is due (the periodic sweep); returns how many went out."""
    return sum(1 for pk in due() if deliver(pk) == OutgoingEmail.Status.SENT)
