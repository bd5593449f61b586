"""A dry run counts what would go and changes nothing; the real run then does exactly that."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from budstikke.core.clock import ClockControl
from budstikke.dispatch.models import StopUpdate
from budstikke.dispatch.testing import courier_of, delivered_shipment
from budstikke.notify.models import SmsMessage
from budstikke.privacy import purge
from budstikke.shield.models import SecurityEvent
from budstikke.shipments.models import Shipment, TrackingEvent
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db

THEN = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def _state(personas: Personas) -> dict[str, object]:
    return {
        "shipments": Shipment.objects.count(),
        "events": TrackingEvent.objects.count(),
        "proof": StopUpdate.objects.count(),
        "security": sorted(str(ip) for ip in SecurityEvent.objects.values_list("ip", flat=True)),
        "sms": sorted(
            m.body for m in SmsMessage.objects.for_tenant(personas.tenant_a).order_by("pk")
        ),
    }


def test_a_dry_run_changes_nothing_and_counts_what_the_real_run_does(
    personas: Personas, clock: type[ClockControl]
) -> None:
    courier = courier_of(personas.tenant_a, personas.carl)
    clock.freeze(THEN)
    delivered_shipment(personas.tenant_a, courier, personas.bob)
    SmsMessage.objects.create(
        tenant=personas.tenant_a,
        phone="+4520123456",
        body="Din pakke er leveret",
        status=SmsMessage.Status.SENT,
    )
    SecurityEvent.objects.create(kind=SecurityEvent.Kind.LOGIN_FAILED, ip="192.0.2.44")
    clock.freeze(THEN + timedelta(days=8 * 366))
    before = _state(personas)

    dry = purge.run(dry_run=True)
    assert _state(personas) == before
    assert dry.dry_run
    assert dry.finished_at is not None
    assert dry.error == ""
    planned = {(c.rule, c.action, c.tenant_id, c.count) for c in dry.counts.all()}
    assert ("shipments.shipment", "delete", personas.tenant_a.pk, 1) in planned
    assert ("shield.securityevent", "delete", None, 1) in planned

    real = purge.run()
    done = {(c.rule, c.action, c.tenant_id, c.count) for c in real.counts.all()}
    assert done == planned
    assert _state(personas) != before
