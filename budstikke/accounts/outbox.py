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
from django.db.models import F, Q

from budstikke.accounts.models import OutgoingEmail
from budstikke.core import clock
from budstikke.vault.platform import seal_text, unseal_text

log = logging.getLogger(__name__)

PURPOSE = "outbox.email"
DELIVERY_MAILER = "delivery"
MAX_ATTEMPTS = 10
# A worker that claimed a message and died leaves it to the sweep after this long.
CLAIM_SECONDS = 300


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


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


def _claim(pk: int) -> bool:
    """Take the message for this worker alone: an atomic conditional UPDATE, so the task and
    the sweep never send the same message twice at the same time."""
    now = clock.now()
    claimable = Q(status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=OutgoingEmail.Status.SENDING, claimed_until__lt=now
    )
    return bool(
        OutgoingEmail.objects.filter(claimable, pk=pk).update(
            status=OutgoingEmail.Status.SENDING,
            claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
            attempts=F("attempts") + 1,
        )
    )


def deliver(pk: int) -> str | None:
    """Try to send one message now if it is due; returns its status afterwards (None if it
    was not due or another worker has it)."""
    if not _claim(pk):
        return None
    row = OutgoingEmail.objects.get(pk=pk)
    try:
        message = message_of(row)
        sent = mailers[DELIVERY_MAILER].send_messages([message])
        if not sent:
            raise RuntimeError("the mail backend accepted nothing")
    except Exception as error:
        status = (
            OutgoingEmail.Status.FAILED
            if row.attempts >= MAX_ATTEMPTS
            else OutgoingEmail.Status.PENDING
        )
        OutgoingEmail.objects.filter(pk=pk).update(
            status=status,
            claimed_until=None,
            next_attempt_at=clock.now() + backoff(row.attempts),
            last_error=type(error).__name__[:200],
        )
        log.warning("email %s attempt %s failed: %s", row.idempotency_key, row.attempts, status)
        return status
    OutgoingEmail.objects.filter(pk=pk).update(
        status=OutgoingEmail.Status.SENT, claimed_until=None, sent_at=clock.now(), last_error=""
    )
    return OutgoingEmail.Status.SENT


def due() -> list[int]:
    now = clock.now()
    return list(
        OutgoingEmail.objects.filter(
            Q(status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=OutgoingEmail.Status.SENDING, claimed_until__lt=now)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )


def deliver_due() -> int:
    """Deliver every message that is due (the periodic sweep); returns how many went out."""
    return sum(1 for pk in due() if deliver(pk) == OutgoingEmail.Status.SENT)
