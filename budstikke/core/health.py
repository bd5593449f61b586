"""What /healthz and /metrics report: the database, the worker's heartbeat, and later checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection

from budstikke.core import clock
from budstikke.core.models import Heartbeat


def record_heartbeat(name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": clock.now()})


def heartbeat_age(name: str) -> float | None:
    beat = Heartbeat.objects.filter(name=name).values_list("beat_at", flat=True).first()
    return None if beat is None else max(0.0, (clock.now() - beat).total_seconds())


@dataclass
class Report:
    database_ok: bool
    worker_age: float | None = None
    checks: dict[str, Any] = field(default_factory=dict)

    @property
    def worker_ok(self) -> bool:
        return self.worker_age is not None and self.worker_age < settings.HEARTBEAT_STALE_SECONDS

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.database_ok else "error",
            "database": "ok" if self.database_ok else "unreachable",
            "worker": {
                "status": "ok"
                if self.worker_ok
                else ("stale" if self.worker_age else "never seen"),
                "heartbeat_age_seconds": (
                    None if self.worker_age is None else round(self.worker_age, 1)
                ),
            },
            **self.checks,
        }


def report() -> Report:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        age = heartbeat_age("worker")
        from budstikke.backups.selectors import backup_health

        backup = backup_health()
    except DatabaseError:
        return Report(database_ok=False)
    return Report(database_ok=True, worker_age=age, checks={"backup": backup.as_json()})
