"""Charlie (admin of tenant B) gets 404 for tenant A's dispatch board actions, routes,
stops and proof of delivery; nothing of tenant A changes."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from budstikke.dispatch.models import Assignment, StopUpdate
from budstikke.dispatch.testing import assigned_shipment, courier_of, delivered_shipment
from budstikke.shipments.machine import Status
from budstikke.shipments.testing import make_shipment
from budstikke.tenants.testing import Personas, outsider_test

pytestmark = pytest.mark.django_db


@outsider_test(
    "dispatch:board",
    "dispatch:assign",
    "dispatch:assign-suggested",
    "dispatch:unassign",
    "dispatch:route",
    "dispatch:route-move",
    "dispatch:proof",
    "dispatch:proof-signature",
    "dispatch:proof-photo",
    "courier:stops",
    "courier:stop",
    "courier:update",
)
def test_charlie_gets_404_for_tenant_a_dispatch_and_proof(
    charlie_client: Client, personas: Personas
) -> None:
    carl = courier_of(personas.tenant_a, personas.carl)
    waiting = make_shipment(personas.tenant_a, recipient_name="Ventende Vera")
    driving = assigned_shipment(personas.tenant_a, carl, personas.bob)
    done, proof = delivered_shipment(personas.tenant_a, carl, personas.bob)

    for url in (
        f"/tenant/dispatch/routes/{carl.pk}/",
        f"/tenant/dispatch/proof/{done.pk}/",
        f"/tenant/dispatch/proof/signature/{proof.pk}/",
        f"/tenant/dispatch/proof/photo/{proof.pk}/",
        f"/tenant/courier/stops/{driving.pk}/",
    ):
        assert charlie_client.get(url).status_code == 404, url
    posts = [
        ("/tenant/dispatch/assign/", {"shipments": [waiting.pk], "courier": carl.pk}),
        ("/tenant/dispatch/assign/suggested/", {"shipments": [waiting.pk]}),
        ("/tenant/dispatch/unassign/", {"shipments": [driving.pk]}),
        (f"/tenant/dispatch/routes/{carl.pk}/move/", {"shipment": driving.pk, "direction": "up"}),
        (
            f"/tenant/courier/stops/{driving.pk}/update/",
            {"submission_id": str(uuid.uuid4()), "action": "picked_up"},
        ),
    ]
    for url, data in posts:
        assert charlie_client.post(url, data).status_code == 404, url

    # His own board and courier page show nothing of tenant A.
    board = charlie_client.get("/tenant/dispatch/").content.decode()
    assert waiting.tracking_number not in board
    assert "Ventende Vera" not in board
    assert charlie_client.get("/tenant/courier/").status_code == 403  # he is no courier

    waiting.refresh_from_db()
    driving.refresh_from_db()
    assert waiting.status == Status.CREATED
    assert driving.status == Status.ASSIGNED
    assert Assignment.objects.for_tenant(personas.tenant_a).count() == 2
    assert StopUpdate.objects.for_tenant(personas.tenant_a).count() == 3
