from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, on_startup

from budstikke.core import health


@on_startup()
def beat_on_startup() -> None:
    health.record_heartbeat("worker")


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    health.record_heartbeat("worker")
