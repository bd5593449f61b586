"""The worker's backups: at BACKUP_TIMES in the installation's zone, and a daily drill of
the newest stored backup (it proves the copy in the target still restores)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from huey.contrib.djhuey import db_periodic_task, db_task

from budstikke.backups import actions
from budstikke.backups.models import BackupCheck, BackupRun

log = logging.getLogger(__name__)
DRILL_TIME = (4, 30)


def _local(timestamp: datetime) -> tuple[int, int]:
    """Huey hands periodic checks a naive UTC minute (HUEY utc=True)."""
    aware = timestamp if timestamp.tzinfo else timestamp.replace(tzinfo=UTC)
    local = aware.astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.hour, local.minute


def is_backup_time(timestamp: datetime) -> bool:
    return _local(timestamp) in settings.BACKUP_TIMES


def is_drill_time(timestamp: datetime) -> bool:
    return _local(timestamp) == DRILL_TIME


@db_periodic_task(is_backup_time)
def scheduled_backup() -> None:
    try:
        actions.create_backup(BackupRun.Trigger.SCHEDULE)
    except actions.BackupBusyError:
        log.warning("scheduled backup skipped: another backup is running")


@db_task()
def backup_now() -> None:
    actions.create_backup(BackupRun.Trigger.MANUAL)


@db_periodic_task(is_drill_time)
def daily_drill() -> None:
    stored = actions.list_backups()
    if not stored:
        return
    newest = stored[-1]
    findings = actions.verify(newest.id, kind=BackupCheck.Kind.DRILL)
    if not findings.ok:
        actions.alert_operators(newest.id, f"daily restore drill failed: {findings.summary()}")
