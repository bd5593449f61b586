"""The nightly data-protection job: retention purge, then tenants whose grace period ended."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from budstikke.privacy import offboarding, purge


@db_periodic_task(crontab(hour="3", minute="30"))
def nightly_purge() -> None:
    purge.run(trigger="schedule")


@db_periodic_task(crontab(hour="3", minute="0"))
def offboard_due_tenants() -> None:
    offboarding.purge_due_tenants()
