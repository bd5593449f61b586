"""Counts are kept per rule and per tenant, so each company sees its own part."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from budstikke.core.clock import ClockControl
from budstikke.privacy import purge
from budstikke.shield.models import SecurityEvent
from budstikke.shipments.actions import cancel
from budstikke.shipments.testing import make_shipment
from budstikke.tenants.models import Tenant
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db

THEN = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def _cancelled(tenant: Tenant, count: int) -> None:
    for _ in range(count):
        cancel(make_shipment(tenant), actor="test")


def test_counts_per_rule_and_tenant(personas: Personas, clock: type[ClockControl]) -> None:
    clock.freeze(THEN)
    _cancelled(personas.tenant_a, 3)
    _cancelled(personas.tenant_b, 2)
    SecurityEvent.objects.create(kind=SecurityEvent.Kind.EXPLOIT_PROBE, ip="192.0.2.1")
    clock.freeze(THEN + timedelta(days=8 * 366))
    run = purge.run()
    counts = {(c.rule, c.tenant_id): c.count for c in run.counts.all()}
    a, b = personas.tenant_a.pk, personas.tenant_b.pk
    assert counts[("shipments.shipment", a)] == 3
    assert counts[("shipments.shipment", b)] == 2
    assert counts[("shipments.trackingevent", a)] == 6  # created + cancelled
    assert counts[("shipments.parcel", b)] == 2
    assert counts[("shield.securityevent", None)] == 1
    assert all(c.count > 0 for c in run.counts.all())


def test_a_failing_rule_is_reported_and_the_others_still_run(
    personas: Personas, clock: type[ClockControl], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.freeze(THEN)
    _cancelled(personas.tenant_a, 1)
    SecurityEvent.objects.create(kind=SecurityEvent.Kind.EXPLOIT_PROBE, ip="192.0.2.1")
    clock.freeze(THEN + timedelta(days=8 * 366))

    def broken(job: object) -> None:
        raise RuntimeError("disk on fire")

    steps = tuple((name, broken if name == "shipments" else step) for name, step in purge._STEPS)
    monkeypatch.setattr(purge, "_STEPS", steps)
    run = purge.run()
    assert "shipments: RuntimeError: disk on fire" in run.error
    assert run.counts.get(rule="shield.securityevent").count == 1
    assert not SecurityEvent.objects.exists()
