from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from budstikke.core import clock


def test_time_can_be_frozen_and_moved() -> None:
    clock.freeze(datetime(2026, 1, 1, 12, tzinfo=UTC))
    clock.advance(timedelta(days=1))
    assert clock.now() == datetime(2026, 1, 2, 12, tzinfo=UTC)


def test_now_is_aware_utc() -> None:
    assert clock.now().utcoffset() == timedelta(0)


def test_frozen_time_is_kept_in_utc() -> None:
    clock.freeze(datetime(2026, 7, 1, 0, 30, tzinfo=ZoneInfo("Europe/Copenhagen")))
    assert clock.now() == datetime(2026, 6, 30, 22, 30, tzinfo=UTC)
    assert clock.today_in("Europe/Copenhagen").isoformat() == "2026-07-01"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        clock.freeze(datetime(2026, 1, 1))
