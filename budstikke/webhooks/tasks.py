"""Background delivery of the web hook outbox."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from budstikke.webhooks import outbox


@db_task()
def deliver_webhook(pk: int) -> None:
    outbox.deliver(pk)


@db_periodic_task(crontab(minute="*"))
def sweep_webhooks() -> None:
    """Retries whose backoff has passed and deliveries a crashed worker left claimed."""
    outbox.deliver_due()
