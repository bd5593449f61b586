"""The default mail backend: it sends nothing, it writes to the outbox (see outbox.py)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from budstikke.accounts import outbox


class OutboxBackend(BaseEmailBackend):
    """MAILERS["default"]: everything the code "sends" becomes an outbox row in the current
    transaction, so a rolled-back request sends nothing and no request waits for SMTP."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        count = 0
        for message in email_messages:
            if message.recipients():
                outbox.enqueue(message)
                count += 1
        return count
