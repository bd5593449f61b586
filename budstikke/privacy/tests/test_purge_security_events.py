"""Security events (the access log of attacks and sign-ins) go after 90 days; after 7 days
their IP addresses keep only the network: /24 for IPv4, /48 for IPv6."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from budstikke.core.clock import ClockControl
from budstikke.privacy import purge
from budstikke.shield.models import Ban, SecurityEvent

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)


def _event(days_ago: float, ip: str | None, source: str = "") -> SecurityEvent:
    return SecurityEvent.objects.create(
        at=NOW - timedelta(days=days_ago),
        kind=SecurityEvent.Kind.LOGIN_FAILED,
        ip=ip,
        source=source if source or ip is None or ":" in ip else ip,
        country="DE",
    )


def test_events_older_than_90_days_are_gone(clock: type[ClockControl]) -> None:
    old = _event(91, "198.51.100.7")
    kept = _event(89, "198.51.100.8")
    clock.freeze(NOW)
    run = purge.run()
    assert not SecurityEvent.objects.filter(pk=old.pk).exists()
    assert SecurityEvent.objects.filter(pk=kept.pk).exists()
    count = run.counts.get(rule="shield.securityevent")
    assert (count.tenant_id, count.count) == (None, 1)


def test_ip_addresses_older_than_7_days_keep_only_their_network(
    clock: type[ClockControl],
) -> None:
    v4 = _event(8, "198.51.100.77")
    v6 = _event(8, "2001:db8:abcd:12:34::1", "2001:db8:abcd:12::/64")
    fresh = _event(6, "203.0.113.9")
    nothing = _event(8, None)
    clock.freeze(NOW)
    run = purge.run()

    v4.refresh_from_db()
    v6.refresh_from_db()
    fresh.refresh_from_db()
    assert (v4.ip, v4.source) == ("198.51.100.0", "198.51.100.0/24")
    assert (v6.ip, v6.source) == ("2001:db8:abcd::", "2001:db8:abcd::/48")
    assert (fresh.ip, fresh.source) == ("203.0.113.9", "203.0.113.9")
    assert SecurityEvent.objects.get(pk=nothing.pk).ip is None
    assert v4.country == "DE"  # what the country policy counts stays
    assert run.counts.get(rule="shield.securityevent.ip").count == 2

    # Already shortened addresses are not rewritten night after night.
    again = purge.run()
    assert not again.counts.filter(rule="shield.securityevent.ip").exists()


def test_an_ipv6_address_with_zeros_after_its_64_bits_is_still_shortened(
    clock: type[ClockControl],
) -> None:
    event = _event(8, "2001:db8:1:2::", "2001:db8:1:2::/64")
    clock.freeze(NOW)
    purge.run()
    event.refresh_from_db()
    assert event.ip == "2001:db8:1::"


def test_bans_go_90_days_after_they_ended(clock: type[ClockControl]) -> None:
    def ban(network: str, expired_days_ago: int) -> Ban:
        return Ban.objects.create(
            network=network,
            scenario="exploit-probe",
            reason="test",
            origin=Ban.Origin.DETECTOR,
            created_at=NOW - timedelta(days=expired_days_ago + 1),
            expires_at=NOW - timedelta(days=expired_days_ago),
        )

    old = ban("198.51.100.1", 91)
    recent = ban("198.51.100.2", 30)
    clock.freeze(NOW)
    purge.run()
    assert list(Ban.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk != recent.pk


def test_truncate_ip() -> None:
    assert purge.truncate_ip("192.0.2.255") == "192.0.2.0"
    assert purge.truncate_ip("2a00:1450:4001:82b::200e") == "2a00:1450:4001::"
