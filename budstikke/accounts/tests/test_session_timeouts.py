"""Sessions end after SESSION_IDLE_TIMEOUT_SECONDS idle and SESSION_COOKIE_AGE after login."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.test import Client

from budstikke.core.clock import ClockControl

from .conftest import Enrolled

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _signed_in(client: Client) -> bool:
    return client.get("/accounts/email/").status_code == 200


def test_an_idle_session_ends(
    client: Client, enrolled: Enrolled, clock: type[ClockControl], settings: Any
) -> None:
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 1800
    clock.freeze(START)
    client.force_login(enrolled.user)
    assert _signed_in(client)
    clock.advance(timedelta(minutes=29))
    assert _signed_in(client)
    clock.advance(timedelta(minutes=29))
    assert _signed_in(client)  # activity keeps it alive
    clock.advance(timedelta(minutes=30))
    response = client.get("/accounts/email/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    clock.advance(timedelta(seconds=1))
    assert not _signed_in(client)


def test_a_busy_session_still_ends_at_the_absolute_timeout(
    client: Client, enrolled: Enrolled, clock: type[ClockControl], settings: Any
) -> None:
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 1800
    settings.SESSION_COOKIE_AGE = 12 * 3600
    clock.freeze(START)
    client.force_login(enrolled.user)
    for _ in range(47):
        clock.advance(timedelta(minutes=15))
        assert _signed_in(client)
    clock.advance(timedelta(minutes=15))  # 12 hours after login
    assert not _signed_in(client)
