"""A courier sees and changes only their own stops; another courier's stop is a 404."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from budstikke.accounts.models import User
from budstikke.dispatch.testing import assigned_shipment, courier_of
from budstikke.shipments.machine import Status
from budstikke.shipments.models import TrackingEvent
from budstikke.tenants.testing import Personas, log_in

pytestmark = pytest.mark.django_db


def test_a_courier_gets_404_for_another_couriers_stop(
    carl_client: Client, personas: Personas
) -> None:
    dora = User.objects.create_user("dora@alfa.example", "pw-dora-123456789", full_name="Dora")
    carl = courier_of(personas.tenant_a, personas.carl)
    dora_courier = courier_of(personas.tenant_a, dora)
    mine = assigned_shipment(personas.tenant_a, carl, personas.bob, recipient_name="Min Modtager")
    hers = assigned_shipment(
        personas.tenant_a, dora_courier, personas.bob, recipient_name="Hendes Modtager"
    )

    listing = carl_client.get("/tenant/courier/").content.decode()
    assert "Min Modtager" in listing
    assert "Hendes Modtager" not in listing
    assert hers.tracking_number not in listing

    assert carl_client.get(f"/tenant/courier/stops/{mine.pk}/").status_code == 200
    assert carl_client.get(f"/tenant/courier/stops/{hers.pk}/").status_code == 404
    answer = carl_client.post(
        f"/tenant/courier/stops/{hers.pk}/update/",
        {"submission_id": str(uuid.uuid4()), "action": "picked_up"},
    )
    assert answer.status_code == 404
    hers.refresh_from_db()
    assert hers.status == Status.ASSIGNED
    assert (
        not TrackingEvent.objects.for_tenant(personas.tenant_a)
        .filter(shipment=hers, status=Status.PICKED_UP)
        .exists()
    )

    dora_client = log_in(Client(), dora)
    assert dora_client.get(f"/tenant/courier/stops/{mine.pk}/", secure=True).status_code == 404


def test_office_staff_have_no_courier_pages_and_couriers_no_board(
    bob_client: Client, carl_client: Client
) -> None:
    assert bob_client.get("/tenant/courier/").status_code == 403
    assert carl_client.get("/tenant/dispatch/").status_code == 403
