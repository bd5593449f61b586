from __future__ import annotations

import pytest

from budstikke.shipments import actions
from budstikke.shipments.machine import InvalidTransitionError, Status
from budstikke.shipments.models import TrackingEvent
from budstikke.shipments.testing import make_shipment
from budstikke.tenants.testing import Personas


def statuses(shipment: object) -> list[str]:
    return list(
        TrackingEvent.objects.for_tenant(shipment.tenant)  # type: ignore[attr-defined]
        .filter(shipment=shipment)
        .order_by("at", "pk")
        .values_list("status", flat=True)
    )


def test_every_transition_appends_one_event(personas: Personas) -> None:
    shipment = make_shipment(personas.tenant_a)
    for status in (
        Status.ASSIGNED,
        Status.PICKED_UP,
        Status.IN_TRANSIT,
        Status.OUT_FOR_DELIVERY,
        Status.FAILED_ATTEMPT,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERED,
    ):
        actions.transition(shipment, status, actor=personas.carl)
    shipment.refresh_from_db()
    assert shipment.status == Status.DELIVERED
    assert shipment.delivered_at is not None
    assert statuses(shipment) == [
        "created",
        "assigned",
        "picked_up",
        "in_transit",
        "out_for_delivery",
        "failed_attempt",
        "out_for_delivery",
        "delivered",
    ]


def test_it_refuses_an_invalid_transition_with_a_clear_message(personas: Personas) -> None:
    shipment = make_shipment(personas.tenant_a)
    with pytest.raises(InvalidTransitionError) as refused:
        actions.transition(shipment, Status.DELIVERED, actor=personas.bob)
    assert "“Created” cannot become “Delivered”" in str(refused.value)
    assert "“Assigned to a courier”" in str(refused.value)
    shipment.refresh_from_db()
    assert shipment.status == Status.CREATED
    assert statuses(shipment) == ["created"]


def test_a_delivered_shipment_cannot_be_cancelled(personas: Personas) -> None:
    shipment = make_shipment(personas.tenant_a)
    for status in (Status.ASSIGNED, Status.PICKED_UP, Status.OUT_FOR_DELIVERY, Status.DELIVERED):
        actions.transition(shipment, status, actor=personas.carl)
    with pytest.raises(InvalidTransitionError, match="cannot change status"):
        actions.cancel(shipment, actor=personas.bob)


def test_a_failed_attempt_can_end_in_return_to_sender(personas: Personas) -> None:
    shipment = make_shipment(personas.tenant_a)
    for status in (Status.ASSIGNED, Status.PICKED_UP, Status.OUT_FOR_DELIVERY):
        actions.transition(shipment, status, actor=personas.carl)
    actions.transition(shipment, Status.FAILED_ATTEMPT, actor=personas.carl, reason="not_home")
    event = actions.transition(shipment, Status.RETURNED, actor=personas.bob, note="Retur")
    assert event.note == "Retur"
    with pytest.raises(InvalidTransitionError):
        actions.transition(shipment, Status.OUT_FOR_DELIVERY, actor=personas.carl)


def test_event_time_comes_from_the_clock(personas: Personas, clock: object) -> None:
    from datetime import UTC, datetime

    from budstikke.core import clock as clock_module

    moment = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    clock_module.freeze(moment)
    shipment = make_shipment(personas.tenant_a)
    event = actions.transition(
        shipment, Status.ASSIGNED, actor=personas.bob, position={"lat": 55.67, "lon": 12.56}
    )
    event.refresh_from_db()
    assert event.at == moment
    assert event.position == {"lat": 55.67, "lon": 12.56}
