"""A month where most attacks come from two countries restricts those two and no EU
country; a quiet month lifts them; every change is a logged revision with its numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from budstikke.shield import actions, policy
from budstikke.shield.models import CountryPolicy, PolicyRevision, SecurityEvent

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 1, tzinfo=UTC)
CHINA, RUSSIA, GERMANY, USA = "36.0.0.1", "95.173.128.1", "5.9.0.1", "8.8.8.8"


def _month_of_attacks(start: datetime, per_day: dict[tuple[str, str], int]) -> None:
    events = []
    for day in range(30):
        for (ip, country), count in per_day.items():
            for n in range(count):
                events.append(
                    SecurityEvent(
                        kind=SecurityEvent.Kind.EXPLOIT_PROBE,
                        at=start + timedelta(days=day, minutes=n),
                        ip=ip,
                        source=ip,
                        country=country,
                    )
                )
    SecurityEvent.objects.bulk_create(events)


def test_a_month_of_attacks_restricts_two_countries_and_a_quiet_month_lifts_them(
    clock: Any, settings: Any
) -> None:
    settings.SHIELD_COUNTRY_MIN_ATTEMPTS = 300
    settings.SHIELD_COUNTRY_MIN_SHARE_PERCENT = 10
    _month_of_attacks(
        START,
        {(CHINA, "CN"): 40, (RUSSIA, "RU"): 25, (GERMANY, "DE"): 15, (USA, "US"): 15},
    )
    # Someone really logs in from the US: it is never restricted automatically.
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.LOGIN_SUCCEEDED, at=START + timedelta(days=3), country="US"
    )
    clock.freeze(START + timedelta(days=30))
    changes = policy.revise()

    assert {(c.country, c.action) for c in changes} == {("CN", "restrict"), ("RU", "restrict")}
    assert set(CountryPolicy.objects.filter(restricted=True).values_list("country", flat=True)) == {
        "CN",
        "RU",
    }
    china = PolicyRevision.objects.get(country="CN", action="restrict")
    assert (china.attempts, china.total, china.window_days) == (1200, 2850, 30)
    assert "1200" in china.reason
    assert "42.1 %" in china.reason

    clock.advance(timedelta(days=1))
    assert policy.revise() == []  # nothing new the next night

    clock.freeze(START + timedelta(days=61))
    lifted = policy.revise()
    assert {(c.country, c.action) for c in lifted} == {("CN", "lift"), ("RU", "lift")}
    assert not CountryPolicy.objects.filter(restricted=True).exists()
    assert PolicyRevision.objects.count() == 4


def test_a_restricted_country_reaches_only_the_tracking_page(client: Client) -> None:
    actions.pin("CN", restricted=True, full_block=False, by=None)
    login = client.get("/accounts/login/", REMOTE_ADDR=CHINA)
    assert login.status_code == 403
    assert b"country" in login.content
    tracking = client.get("/t/ABC123", REMOTE_ADDR=CHINA)
    assert tracking.status_code != 403
    assert client.get("/accounts/login/", REMOTE_ADDR=GERMANY).status_code == 200

    actions.pin("CN", restricted=True, full_block=True, by=None)
    assert client.get("/t/ABC123", REMOTE_ADDR=CHINA).status_code == 403


def test_an_allow_listed_office_in_a_restricted_country_gets_in(client: Client) -> None:
    actions.pin("CN", restricted=True, full_block=False, by=None)
    actions.allow("36.0.0.0/24", note="Shanghai office")
    assert client.get("/accounts/login/", REMOTE_ADDR=CHINA).status_code == 200


def test_pinned_open_countries_are_never_restricted(clock: Any, settings: Any) -> None:
    settings.SHIELD_COUNTRY_MIN_ATTEMPTS = 10
    actions.pin("CN", restricted=False, full_block=False, by=None)
    _month_of_attacks(START, {(CHINA, "CN"): 5})
    clock.freeze(START + timedelta(days=30))
    assert policy.revise() == []
    actions.unpin("CN", by=None)
    assert [c.action for c in policy.revise()] == ["restrict"]
