"""Shipments go 8 years after delivery, return or cancellation, with their tracking events,
parcels, proof of delivery and labels; an invoiced shipment inside the bookkeeping period
keeps its financial fields and loses the personal ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from budstikke.billing.models import BillingRun, Invoice, InvoiceLine
from budstikke.core.clock import ClockControl
from budstikke.dispatch.models import Assignment, StopUpdate
from budstikke.dispatch.testing import courier_of, delivered_shipment
from budstikke.privacy import purge
from budstikke.shipments.actions import cancel
from budstikke.shipments.models import Parcel, Shipment, TrackingEvent
from budstikke.shipments.testing import make_shipment
from budstikke.tenants.testing import Personas, log_in

pytestmark = pytest.mark.django_db

DELIVERED = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def _records(shipment_id: int) -> dict[str, int]:
    return {
        "shipment": Shipment.objects.filter(pk=shipment_id).count(),
        "events": TrackingEvent.objects.filter(shipment_id=shipment_id).count(),
        "parcels": Parcel.objects.filter(shipment_id=shipment_id).count(),
        "proof": StopUpdate.objects.filter(shipment_id=shipment_id).count(),
        "signatures": StopUpdate.objects.filter(
            shipment_id=shipment_id, signature__isnull=False
        ).count(),
        "assignments": Assignment.objects.filter(shipment_id=shipment_id).count(),
    }


def test_8_years_and_a_day_after_delivery_nothing_of_the_shipment_is_left(
    personas: Personas, clock: type[ClockControl], client: Client
) -> None:
    courier = courier_of(personas.tenant_a, personas.carl)
    clock.freeze(DELIVERED)
    old, _proof = delivered_shipment(personas.tenant_a, courier, personas.bob)
    clock.freeze(DELIVERED + timedelta(days=366))  # 2027-03-11: 7 years before the purge
    recent, _proof = delivered_shipment(personas.tenant_a, courier, personas.bob)
    assert _records(old.pk)["signatures"] == 1
    assert _records(old.pk)["events"] >= 4

    clock.freeze(datetime(2034, 3, 11, 10, 0, tzinfo=UTC))  # 8 years and 1 day later
    alice = log_in(client, personas.alice)
    assert alice.get(f"/tenant/shipments/{old.pk}/label/").status_code == 200
    run = purge.run()

    assert _records(old.pk) == dict.fromkeys(_records(old.pk), 0)
    alice = log_in(client, personas.alice)  # the purge ended sessions that expired by now
    assert alice.get(f"/tenant/shipments/{old.pk}/label/").status_code == 404
    assert alice.get(f"/t/{old.tracking_number}").status_code == 404
    kept = _records(recent.pk)
    assert kept["shipment"] == 1
    assert kept["signatures"] == 1
    assert kept["parcels"] == 1
    assert alice.get(f"/tenant/shipments/{recent.pk}/label/").status_code == 200
    counts = {(c.rule, c.tenant_id): c.count for c in run.counts.all()}
    assert counts[("shipments.shipment", personas.tenant_a.pk)] == 1
    assert counts[("dispatch.stopupdate", personas.tenant_a.pk)] == 3
    assert counts[("shipments.parcel", personas.tenant_a.pk)] == 1


def test_a_shipment_delivered_exactly_8_years_ago_stays_until_the_day_after(
    personas: Personas, clock: type[ClockControl]
) -> None:
    courier = courier_of(personas.tenant_a, personas.carl)
    clock.freeze(DELIVERED)
    shipment, _proof = delivered_shipment(personas.tenant_a, courier, personas.bob)
    clock.freeze(datetime(2034, 3, 10, 9, 0, tzinfo=UTC))
    purge.run()
    assert Shipment.objects.filter(pk=shipment.pk).exists()
    clock.freeze(datetime(2034, 3, 10, 11, 0, tzinfo=UTC))
    purge.run()
    assert not Shipment.objects.filter(pk=shipment.pk).exists()


def test_cancelled_shipments_count_from_the_cancellation_and_open_ones_stay(
    personas: Personas, clock: type[ClockControl]
) -> None:
    clock.freeze(DELIVERED)
    cancelled = make_shipment(personas.tenant_a)
    never_finished = make_shipment(personas.tenant_a)
    clock.advance(timedelta(days=30))
    cancel(cancelled, actor="test")
    clock.freeze(datetime(2034, 3, 11, 10, 0, tzinfo=UTC))
    purge.run()
    assert Shipment.objects.filter(pk=cancelled.pk).exists()  # cancelled 2026-04-09
    clock.advance(timedelta(days=30))
    purge.run()
    assert not Shipment.objects.filter(pk=cancelled.pk).exists()
    assert Shipment.objects.filter(pk=never_finished.pk).exists()


def test_a_shipment_on_an_invoice_inside_the_bookkeeping_period_keeps_only_its_money(
    personas: Personas, clock: type[ClockControl]
) -> None:
    courier = courier_of(personas.tenant_a, personas.carl)
    clock.freeze(DELIVERED)
    shipment, _proof = delivered_shipment(personas.tenant_a, courier, personas.bob)
    Shipment.objects.filter(pk=shipment.pk).update(price=Decimal("129.00"))
    # Invoiced late, in 2030: that invoice must be kept until the end of 2035.
    clock.freeze(datetime(2030, 6, 1, tzinfo=UTC))
    run = BillingRun.objects.create(
        tenant=personas.tenant_a, cutoff=clock.now(), trigger=BillingRun.Trigger.MANUAL
    )
    invoice = Invoice.objects.create(
        tenant=personas.tenant_a,
        run=run,
        customer=shipment.customer,
        reference="late-invoice",
        body={"lines": []},
        currency="DKK",
        total=Decimal("129.00"),
        shipment_count=1,
    )
    InvoiceLine.objects.create(
        tenant=personas.tenant_a, invoice=invoice, shipment=shipment, amount=Decimal("129.00")
    )

    clock.freeze(datetime(2034, 3, 11, 10, 0, tzinfo=UTC))
    first = purge.run()
    held = Shipment.objects.for_tenant(personas.tenant_a).get(pk=shipment.pk)
    assert held.price == Decimal("129.00")
    assert held.tracking_number == shipment.tracking_number
    assert held.recipient_name == ""
    assert held.delivery_address == ""
    assert held.recipient_phone is None
    assert held.recipient_phone_index is None
    assert held.pickup_name == ""
    assert held.recipient_name_index is None
    # Every personal field was in the row's sealed record, which is gone.
    assert Shipment.objects.values_list("sealed", flat=True).get(pk=shipment.pk) is None
    assert _records(shipment.pk)["proof"] == 0
    assert _records(shipment.pk)["events"] == 0
    assert InvoiceLine.objects.filter(shipment=shipment).exists()
    assert {(c.rule, c.action) for c in first.counts.all()} >= {
        ("shipments.shipment", "anonymise"),
        ("dispatch.stopupdate", "delete"),
    }
    # The next night finds nothing more to do with it.
    second = purge.run()
    assert not second.counts.filter(rule="shipments.shipment").exists()

    # In 2036 the invoice's period is over: invoice, line and shipment go.
    clock.freeze(datetime(2036, 1, 2, tzinfo=UTC))
    purge.run()
    assert not Invoice.objects.filter(pk=invoice.pk).exists()
    assert not Shipment.objects.filter(pk=shipment.pk).exists()


def test_many_shipments_go_in_small_batches(
    personas: Personas, clock: type[ClockControl], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(purge, "BATCH_SIZE", 2)
    clock.freeze(DELIVERED)
    made = [make_shipment(personas.tenant_a) for _ in range(5)]
    for shipment in made:
        cancel(shipment, actor="test")
    clock.freeze(datetime(2034, 3, 11, 10, 0, tzinfo=UTC))
    run = purge.run()
    assert Shipment.objects.filter(pk__in=[s.pk for s in made]).count() == 0
    assert run.counts.get(rule="shipments.shipment").count == 5
    assert run.counts.get(rule="shipments.trackingevent").count == 10
