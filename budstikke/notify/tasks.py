"""Background delivery of the SMS outbox."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from budstikke.notify import outbox


@db_task()
def deliver_sms(pk: int) -> None:
    outbox.deliver(pk)


@db_periodic_task(crontab(minute="*"))
def sweep_sms_outbox() -> None:
    """Retries whose backoff has passed, messages held for quiet hours or the rate limit,
    and sends a crashed worker left unfinished."""
    outbox.deliver_due()
