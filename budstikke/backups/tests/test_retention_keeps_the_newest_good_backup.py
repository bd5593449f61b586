from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from budstikke.backups import actions, retention
from budstikke.backups.targets import Manifest
from budstikke.backups.tests.conftest import stored
from budstikke.core import clock
from budstikke.tenants.testing import Personas


def _manifest(at: datetime, n: int) -> Manifest:
    return Manifest(
        id=f"{at:%Y%m%dT%H%M%SZ}-{n:06x}",
        created_at=at.isoformat(),
        engine="sqlite",
        size=1,
        sha256="0" * 64,
        migrations=[],
        tables={},
        media={},
        key={},
        verified_at=at.isoformat(),
    )


def test_twice_daily_for_a_year_keeps_14_plus_30_days_plus_12_months() -> None:
    start = datetime(2025, 1, 1, 1, 0, tzinfo=UTC)
    manifests = [_manifest(start + timedelta(hours=12 * i), i) for i in range(2 * 400)]
    keep = retention.to_keep(manifests, last=14, daily=30, monthly=12, zone="Europe/Copenhagen")

    newest = sorted(manifests, key=lambda m: m.created)
    assert {m.id for m in newest[-14:]} <= keep
    # The last backup is on 4 Feb 2026. The 14 newest cover 7 days; 30 days add 23 more
    # (back to 6 Jan); of 12 months, Feb and Jan 2026 are already kept: 10 older ones added.
    assert len(keep) == 14 + 23 + 10
    months = {m.created.strftime("%Y-%m") for m in manifests if m.id in keep}
    assert min(months) == "2025-03"


def test_the_newest_is_kept_even_with_nothing_else_to_keep() -> None:
    manifests = [_manifest(datetime(2025, 3, d, tzinfo=UTC), d) for d in range(1, 5)]
    keep = retention.to_keep(manifests, last=1, daily=0, monthly=0, zone="UTC")
    assert keep == {manifests[-1].id}


@pytest.mark.django_db(transaction=True)
def test_pruning_deletes_old_sets_but_never_the_newest_good(
    personas: Personas, backup_dirs: Path, settings: Any
) -> None:
    settings.BACKUP_KEEP_LAST = 1
    settings.BACKUP_KEEP_DAILY = 0
    settings.BACKUP_KEEP_MONTHLY = 0
    clock.freeze(datetime(2026, 1, 5, 1, 0, tzinfo=UTC))
    first = actions.create_backup()
    clock.advance(timedelta(hours=12))
    second = actions.create_backup()

    ids = [m.id for m in stored(backup_dirs)]
    assert ids == [second.backup_id]
    first.refresh_from_db()
    assert first.pruned_at is not None
