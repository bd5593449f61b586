"""Ban lengths grow for repeat offenders, shared addresses get shorter bans, IPv6 bans take
the /64, allow-listed networks are never banned, and operators can ban and unban."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, RequestFactory

from budstikke.shield import actions, enforcement, selectors
from budstikke.shield.events import record
from budstikke.shield.models import Ban, SecurityEvent

pytestmark = pytest.mark.django_db


def _fail_logins(address: str, count: int) -> None:
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=address)
    for _ in range(count):
        record(SecurityEvent.Kind.LOGIN_FAILED, request=request)


def _lengths(address: str) -> list[timedelta]:
    return [b.expires_at - b.created_at for b in Ban.objects.filter(network=address)]


def test_each_ban_is_twice_as_long_as_the_last_up_to_the_cap(clock: Any, settings: Any) -> None:
    settings.SHIELD_BAN_BASE_SECONDS = 3600
    settings.SHIELD_BAN_MAX_SECONDS = 4 * 3600
    for _ in range(4):
        _fail_logins("198.51.100.30", 9)
        ban = selectors.active_ban_for("198.51.100.30")
        assert ban is not None
        clock.advance(ban.expires_at - ban.created_at + timedelta(hours=12))
    hours = [length / timedelta(hours=1) for length in _lengths("198.51.100.30")]
    assert sorted(hours) == [1, 2, 4, 4]


def test_the_fifth_ban_in_a_day_is_a_recidive(clock: Any, settings: Any) -> None:
    settings.SHIELD_BAN_BASE_SECONDS = 60
    settings.SHIELD_RECIDIVE_SECONDS = 7 * 86400
    for _ in range(5):
        _fail_logins("198.51.100.31", 9)
        ban = selectors.active_ban_for("198.51.100.31")
        assert ban is not None
        clock.advance(ban.expires_at - ban.created_at + timedelta(seconds=1))
    last = Ban.objects.filter(network="198.51.100.31").latest("created_at")
    assert last.scenario == "recidive"
    assert last.expires_at - last.created_at == timedelta(days=7)


def test_cgnat_needs_more_failures_and_gets_a_shorter_ban(settings: Any) -> None:
    settings.SHIELD_BAN_BASE_SECONDS = 3600
    _fail_logins("100.64.1.2", 9)
    assert selectors.active_ban_for("100.64.1.2") is None
    _fail_logins("100.64.1.2", 9)
    ban = selectors.active_ban_for("100.64.1.2")
    assert ban is not None
    assert ban.expires_at - ban.created_at == timedelta(minutes=15)
    assert ban.country == ""


def test_ipv6_decisions_cover_the_64(client: Client) -> None:
    for n in range(9):
        _fail_logins(f"2001:db8:1:2::{n + 1}", 1)
    assert selectors.active_ban_for("2001:db8:1:2::/64") is not None
    assert client.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9").status_code == 403
    assert client.get("/", REMOTE_ADDR="::ffff:192.0.2.1").status_code == 200
    assert client.get("/", REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


def test_allow_listed_networks_are_never_banned(client: Client, settings: Any) -> None:
    actions.allow("192.0.2.0/28", note="dispatch office")
    _fail_logins("192.0.2.5", 30)
    assert not selectors.active_bans().exists()
    settings.SHIELD_ALLOW_CIDRS = [__import__("ipaddress").ip_network("198.51.100.0/24")]
    _fail_logins("198.51.100.99", 30)
    assert not selectors.active_bans().exists()
    with pytest.raises(actions.ShieldError):
        actions.manual_ban("192.0.2.5", 1, "test", None)


def test_operator_ban_and_unban_take_effect_at_once(client: Client) -> None:
    ban = actions.manual_ban("203.0.113.0/24", 2, "abuse report", None)
    assert ban.expires_at - ban.created_at == timedelta(hours=2)
    assert client.get("/", REMOTE_ADDR="203.0.113.77").status_code == 403
    actions.unban("203.0.113.0/24")
    assert client.get("/", REMOTE_ADDR="203.0.113.77").status_code == 200
    with pytest.raises(actions.ShieldError):
        actions.manual_ban("10.0.0.0/8", 1, "far too wide", None)


def test_bans_expire(client: Client, clock: Any) -> None:
    actions.manual_ban("203.0.113.8", 1, "test", None)
    assert client.get("/", REMOTE_ADDR="203.0.113.8").status_code == 403
    clock.advance(timedelta(hours=1, seconds=1))
    assert client.get("/", REMOTE_ADDR="203.0.113.8").status_code == 200


def test_refused_requests_are_counted_not_logged(client: Client) -> None:
    actions.manual_ban("203.0.113.9", 1, "test", None)
    before = SecurityEvent.objects.count()
    for _ in range(5):
        client.get("/", REMOTE_ADDR="203.0.113.9")
    assert SecurityEvent.objects.count() == before
    enforcement.flush_counts()
    assert Ban.objects.get(network="203.0.113.9").blocked_requests == 5


def test_another_process_sees_a_ban_after_refresh(client: Client) -> None:
    actions.manual_ban("203.0.113.10", 1, "test", None)
    enforcement.reset()  # a fresh process: nothing in memory
    assert client.get("/", REMOTE_ADDR="203.0.113.10").status_code == 403


def test_tracking_numbers_guessed_from_one_address_ban_it() -> None:
    request = RequestFactory().get("/t/lookup", REMOTE_ADDR="198.51.100.40")
    for _ in range(20):
        record(SecurityEvent.Kind.TRACKING_LOOKUP_FAILED, request=request, number="BS-1")
    assert selectors.active_ban_for("198.51.100.40") is None  # one number retried is no guess
    for n in range(11):
        record(SecurityEvent.Kind.TRACKING_LOOKUP_FAILED, request=request, number=f"BS-{n + 2}")
    ban = selectors.active_ban_for("198.51.100.40")
    assert ban is not None
    assert ban.scenario == "tracking-enumeration"


def test_api_key_failures_and_second_factor_guessing_ban() -> None:
    api = RequestFactory().get("/api/v1/shipments", REMOTE_ADDR="198.51.100.41")
    mfa = RequestFactory().post("/accounts/2fa/authenticate/", REMOTE_ADDR="198.51.100.42")
    for _ in range(11):
        record(SecurityEvent.Kind.API_KEY_FAILED, request=api)
    for _ in range(6):
        record(SecurityEvent.Kind.MFA_FAILED, request=mfa)
    assert selectors.active_ban_for("198.51.100.41") is not None
    assert selectors.active_ban_for("198.51.100.42") is not None
