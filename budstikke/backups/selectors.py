"""Reads shared by /healthz, /metrics and the operator page: from the journal only, so a
health check never lists a bucket."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from django.conf import settings

from budstikke.backups.models import BackupCheck, BackupRun
from budstikke.core import clock

GRACE = timedelta(hours=1)


def stale_after() -> timedelta:
    """The longest gap between two scheduled backups, plus an hour's grace."""
    minutes = sorted(h * 60 + m for h, m in settings.BACKUP_TIMES)
    gaps = [b - a for a, b in pairwise(minutes)]
    gaps.append(minutes[0] + 24 * 60 - minutes[-1])
    return timedelta(minutes=max(gaps)) + GRACE


@dataclass(frozen=True)
class BackupHealth:
    status: str  # ok | failing | stale | never
    last_good_at: datetime | None
    last_good_age: float | None
    last_failure_at: datetime | None
    last_failure_id: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "last_good_age_seconds": (
                None if self.last_good_age is None else round(self.last_good_age, 1)
            ),
            "last_good_at": self.last_good_at.isoformat() if self.last_good_at else None,
            "last_failure_at": self.last_failure_at.isoformat() if self.last_failure_at else None,
        }


def backup_health() -> BackupHealth:
    """The age of the last good backup (the recovery point) counts from its snapshot."""
    good = BackupRun.objects.filter(status=BackupRun.Status.GOOD).order_by("-started_at").first()
    failed = (
        BackupRun.objects.filter(status=BackupRun.Status.FAILED).order_by("-started_at").first()
    )
    age = None if good is None else max(0.0, (clock.now() - good.started_at).total_seconds())
    failing = failed is not None and (good is None or failed.started_at > good.started_at)
    if failing:
        status = "failing"
    elif good is None:
        status = "never"
    elif age is not None and age > stale_after().total_seconds():
        status = "stale"
    else:
        status = "ok"
    return BackupHealth(
        status=status,
        last_good_at=good.started_at if good else None,
        last_good_age=age,
        last_failure_at=failed.started_at if failed else None,
        last_failure_id=failed.backup_id if failed else None,
    )


def recent_runs(limit: int = 60) -> list[BackupRun]:
    return list(BackupRun.objects.order_by("-started_at")[:limit])


def recent_checks(limit: int = 30) -> list[BackupCheck]:
    return list(BackupCheck.objects.order_by("-started_at")[:limit])
