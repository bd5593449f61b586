"""The dispatcher's board: the day's shipments, assigning many at once, suggestions by
postcode zone and load, and the order of a courier's stops."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from budstikke.accounts.models import User
from budstikke.dispatch import selectors
from budstikke.dispatch.models import Assignment
from budstikke.dispatch.testing import assigned_shipment, courier_of
from budstikke.shipments.machine import Status
from budstikke.shipments.models import Shipment
from budstikke.shipments.testing import make_customer, make_shipment
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


def _shipment(personas: Personas, zone: str = "", **fields: Any) -> Shipment:
    shipment = make_shipment(personas.tenant_a, **fields)
    if zone:
        Shipment.objects.for_tenant(personas.tenant_a).filter(pk=shipment.pk).update(zone=zone)
        shipment.zone = zone
    return shipment


def test_dispatcher_assigns_several_shipments_at_once(
    bob_client: Client, personas: Personas
) -> None:
    carl = courier_of(personas.tenant_a, personas.carl)
    customer = make_customer(personas.tenant_a)
    first = make_shipment(personas.tenant_a, customer)
    second = make_shipment(personas.tenant_a, customer)

    board = bob_client.get("/tenant/dispatch/").content.decode()
    assert first.tracking_number in board
    assert second.tracking_number in board

    answer = bob_client.post(
        "/tenant/dispatch/assign/", {"shipments": [first.pk, second.pk], "courier": carl.pk}
    )
    assert answer.status_code == 302
    route = selectors.route(carl)
    assert [stop.shipment_id for stop in route] == [first.pk, second.pk]
    assert [stop.position for stop in route] == [1, 2]
    for shipment in (first, second):
        shipment.refresh_from_db()
        assert shipment.status == Status.ASSIGNED


def test_only_a_courier_can_be_assigned(bob_client: Client, personas: Personas) -> None:
    shipment = make_shipment(personas.tenant_a)
    alice_membership = personas.alice.memberships.get(tenant=personas.tenant_a)
    answer = bob_client.post(
        "/tenant/dispatch/assign/", {"shipments": [shipment.pk], "courier": alice_membership.pk}
    )
    assert answer.status_code == 404
    shipment.refresh_from_db()
    assert shipment.status == Status.CREATED


def test_board_filters_by_zone_and_status(bob_client: Client, personas: Personas) -> None:
    north = _shipment(personas, zone="Nord")
    south = _shipment(personas, zone="Syd")
    page = bob_client.get("/tenant/dispatch/", {"zone": "Nord"}).content.decode()
    assert north.tracking_number in page
    assert south.tracking_number not in page
    page = bob_client.get("/tenant/dispatch/", {"status": "delivered"}).content.decode()
    assert north.tracking_number not in page
    partial = bob_client.get("/tenant/dispatch/", {"zone": "Syd"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert south.tracking_number in partial.content.decode()


def test_suggestion_prefers_the_courier_already_in_the_zone_then_the_least_loaded(
    personas: Personas,
) -> None:
    carl = courier_of(personas.tenant_a, personas.carl)
    dora = courier_of(
        personas.tenant_a, User.objects.create_user("dora@alfa.example", "x" * 20, full_name="Dora")
    )
    customer = make_customer(personas.tenant_a)
    for _ in range(3):
        stop = assigned_shipment(personas.tenant_a, carl, personas.bob, customer=customer)
        Shipment.objects.for_tenant(personas.tenant_a).filter(pk=stop.pk).update(zone="Nord")
    north = _shipment(personas, zone="Nord", customer=customer)
    south = _shipment(personas, zone="Syd", customer=customer)

    suggested = selectors.suggest(personas.tenant_a, [north, south])

    assert suggested[north.pk] == carl  # already driving in Nord
    assert suggested[south.pk] == dora  # nobody in Syd: the least loaded


def test_assign_as_suggested(bob_client: Client, personas: Personas) -> None:
    carl = courier_of(personas.tenant_a, personas.carl)
    shipment = make_shipment(personas.tenant_a)
    answer = bob_client.post("/tenant/dispatch/assign/suggested/", {"shipments": [shipment.pk]})
    assert answer.status_code == 302
    assert Assignment.objects.for_tenant(personas.tenant_a).get(shipment=shipment).courier == carl


def test_dispatcher_orders_the_stops(bob_client: Client, personas: Personas) -> None:
    carl = courier_of(personas.tenant_a, personas.carl)
    customer = make_customer(personas.tenant_a)
    stops = [
        assigned_shipment(personas.tenant_a, carl, personas.bob, customer=customer)
        for _ in range(3)
    ]

    answer = bob_client.post(
        f"/tenant/dispatch/routes/{carl.pk}/move/", {"shipment": stops[2].pk, "direction": "up"}
    )
    assert answer.status_code == 302
    assert [s.shipment_id for s in selectors.route(carl)] == [stops[0].pk, stops[2].pk, stops[1].pk]

    page = bob_client.get(f"/tenant/dispatch/routes/{carl.pk}/").content.decode()
    assert page.index(stops[2].tracking_number) < page.index(stops[1].tracking_number)


def test_unassign_before_pickup_returns_the_shipment_to_the_pool(
    bob_client: Client, personas: Personas
) -> None:
    carl = courier_of(personas.tenant_a, personas.carl)
    shipment = assigned_shipment(personas.tenant_a, carl, personas.bob)
    assert (
        bob_client.post("/tenant/dispatch/unassign/", {"shipments": [shipment.pk]}).status_code
        == 302
    )
    shipment.refresh_from_db()
    assert shipment.status == Status.CREATED
    assert not Assignment.objects.for_tenant(personas.tenant_a).filter(shipment=shipment).exists()
