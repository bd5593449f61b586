"""`manage.py deliver_mail`: send every due outbox email now (what the worker's sweep does)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from budstikke.accounts import outbox


class Command(BaseCommand):
    help = "Deliver the email outbox now, without waiting for the worker."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = outbox.deliver_due()
        self.stdout.write(f"{sent} email(s) delivered")
