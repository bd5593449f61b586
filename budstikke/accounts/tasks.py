"""Background delivery of the email outbox."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from budstikke.accounts import outbox


@db_task()
def deliver_email(pk: int) -> None:
    outbox.deliver(pk)


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> None:
    """Retries whose backoff has passed, and messages a crashed worker had claimed."""
    outbox.deliver_due()
