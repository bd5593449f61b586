from __future__ import annotations

from datetime import datetime

from budstikke.backups import selectors
from budstikke.backups.tasks import is_backup_time


def test_0200_copenhagen_is_0100_utc_in_winter_and_0000_utc_in_summer() -> None:
    assert is_backup_time(datetime(2026, 1, 10, 1, 0))
    assert is_backup_time(datetime(2026, 1, 10, 13, 0))
    assert not is_backup_time(datetime(2026, 1, 10, 2, 0))
    assert is_backup_time(datetime(2026, 7, 10, 0, 0))
    assert is_backup_time(datetime(2026, 7, 10, 12, 0))
    assert not is_backup_time(datetime(2026, 7, 10, 1, 0))


def test_a_backup_is_stale_after_the_longest_gap_plus_grace() -> None:
    assert selectors.stale_after().total_seconds() == 13 * 3600
