"""The one place "now" comes from, so tests can move time (ARCHITECTURE invariant 6)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone


@dataclass
class _Clock:
    frozen: datetime | None = None
    offset: timedelta = timedelta(0)
    lock: threading.Lock = field(default_factory=threading.Lock)


_clock = _Clock()


def now() -> datetime:
    """The current time as an aware UTC datetime."""
    frozen = _clock.frozen
    if frozen is not None:
        return frozen
    return timezone.now() + _clock.offset


def today_in(zone: str) -> date:
    return now().astimezone(ZoneInfo(zone)).date()


def freeze(at: datetime) -> None:
    """Stop the clock at `at` (tests)."""
    if timezone.is_naive(at):
        raise ValueError("freeze() needs an aware datetime")
    with _clock.lock:
        _clock.frozen = at.astimezone(UTC)


def advance(delta: timedelta) -> None:
    """Move time forward (or back) by `delta`, frozen or running (tests)."""
    with _clock.lock:
        if _clock.frozen is not None:
            _clock.frozen += delta
        else:
            _clock.offset += delta


def reset() -> None:
    with _clock.lock:
        _clock.frozen = None
        _clock.offset = timedelta(0)


class ClockControl:
    """What tests use to move time: `clock.freeze(dt)`, `clock.advance(timedelta(days=1))`."""

    freeze = staticmethod(freeze)
    advance = staticmethod(advance)
    reset = staticmethod(reset)
    now = staticmethod(now)
