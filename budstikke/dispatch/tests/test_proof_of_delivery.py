"""The courier picks up and delivers with a drawn signature, a photo and a position; the
proof is stored encrypted, and a retried submission never doubles an event."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from budstikke.dispatch.models import StopUpdate
from budstikke.dispatch.testing import assigned_shipment, courier_of, jpeg, signature_data_url
from budstikke.shipments.machine import Status
from budstikke.shipments.models import Shipment, TrackingEvent
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


def _post(client: Client, shipment: Shipment, action: str, **fields: object) -> Any:
    data = {"submission_id": str(uuid.uuid4()), "action": action, **fields}
    return client.post(f"/tenant/courier/stops/{shipment.pk}/update/", data)


def _delivered_events(shipment: Shipment) -> int:
    return (
        TrackingEvent.objects.for_tenant(shipment.tenant)
        .filter(shipment=shipment, status=Status.DELIVERED)
        .count()
    )


@pytest.fixture
def stop(personas: Personas) -> Shipment:
    carl = courier_of(personas.tenant_a, personas.carl)
    return assigned_shipment(personas.tenant_a, carl, personas.bob)


def _on_the_way(client: Client, shipment: Shipment) -> None:
    assert _post(client, shipment, "picked_up").status_code == 302
    assert _post(client, shipment, "out_for_delivery").status_code == 302


def test_courier_delivers_with_signature_photo_and_position(
    carl_client: Client, stop: Shipment, bob_client: Client
) -> None:
    _on_the_way(carl_client, stop)
    page = carl_client.get(f"/tenant/courier/stops/{stop.pk}/").content.decode()
    assert 'src="/static/dispatch/courier.js"' in page
    assert 'capture="environment"' in page

    answer = _post(
        carl_client,
        stop,
        "delivered",
        recipient_name="Naboen Niels",
        signature=signature_data_url(),
        photo=SimpleUploadedFile("door.jpg", jpeg(), content_type="image/jpeg"),
        share_position="1",
        lat="55.6761",
        lon="12.5683",
        accuracy="12",
    )
    assert answer.status_code == 302

    stop.refresh_from_db()
    assert stop.status == Status.DELIVERED
    assert stop.delivered_at is not None
    proof = StopUpdate.objects.for_tenant(stop.tenant).get(shipment=stop, action="delivered")
    assert proof.recipient_name == "Naboen Niels"
    assert proof.signature is not None
    assert proof.signature.startswith(b"\x89PNG")
    assert proof.photo == jpeg()
    assert proof.photo_type == "image/jpeg"
    assert proof.position == {"lat": 55.6761, "lon": 12.5683, "accuracy": 12.0}

    # At rest: ciphertext only.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sealed, signature, photo FROM dispatch_stopupdate WHERE id = %s",
            [proof.pk],
        )
        raw = b"".join(bytes(value) for value in cursor.fetchone())
    assert b"Naboen" not in raw
    assert b"PNG" not in raw
    assert b"55.67" not in raw

    # The office sees the proof; the image answers come from the encrypted rows.
    assert "Naboen Niels" in bob_client.get(f"/tenant/dispatch/proof/{stop.pk}/").content.decode()
    image = bob_client.get(f"/tenant/dispatch/proof/signature/{proof.pk}/")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")


def test_a_retried_delivery_gives_one_event(carl_client: Client, stop: Shipment) -> None:
    _on_the_way(carl_client, stop)
    same = {
        "submission_id": str(uuid.uuid4()),
        "action": "delivered",
        "recipient_name": "Mette",
        "signature": signature_data_url(),
    }
    url = f"/tenant/courier/stops/{stop.pk}/update/"

    first = carl_client.post(url, same)
    again = carl_client.post(url, same)

    assert first.status_code == 302
    assert again.status_code == 302
    assert _delivered_events(stop) == 1
    assert StopUpdate.objects.for_tenant(stop.tenant).filter(action="delivered").count() == 1
    followed = carl_client.get(again["Location"]).content.decode()
    assert "already saved" in followed


def test_a_retried_pickup_gives_one_event(carl_client: Client, stop: Shipment) -> None:
    same = {"submission_id": str(uuid.uuid4()), "action": "picked_up"}
    url = f"/tenant/courier/stops/{stop.pk}/update/"
    for _ in range(3):
        assert carl_client.post(url, same).status_code == 302
    events = TrackingEvent.objects.for_tenant(stop.tenant).filter(
        shipment=stop, status=Status.PICKED_UP
    )
    assert events.count() == 1


def test_a_file_that_is_no_image_is_refused_and_nothing_changes(
    carl_client: Client, stop: Shipment
) -> None:
    _on_the_way(carl_client, stop)
    fake = "data:image/png;base64," + base64.b64encode(b"<script>alert(1)</script>").decode()
    answer = _post(carl_client, stop, "delivered", recipient_name="Mette", signature=fake)
    assert answer.status_code == 400
    assert "could not be read" in answer.content.decode()

    exe = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" * 100, content_type="image/jpeg")
    answer = _post(carl_client, stop, "delivered", recipient_name="Mette", photo=exe)
    assert answer.status_code == 400
    stop.refresh_from_db()
    assert stop.status == Status.OUT_FOR_DELIVERY
    assert _delivered_events(stop) == 0


def test_delivery_needs_a_name_and_a_signature_or_photo(
    carl_client: Client, stop: Shipment
) -> None:
    _on_the_way(carl_client, stop)
    answer = _post(carl_client, stop, "delivered", recipient_name="Mette")
    assert answer.status_code == 400
    assert "signature or a photo" in answer.content.decode()
    answer = _post(carl_client, stop, "delivered", signature=signature_data_url())
    assert answer.status_code == 400
    assert "name of the person" in answer.content.decode()
    assert _delivered_events(stop) == 0


def test_a_failed_attempt_records_the_reason(carl_client: Client, stop: Shipment) -> None:
    _on_the_way(carl_client, stop)
    assert _post(carl_client, stop, "failed_attempt").status_code == 400
    answer = _post(carl_client, stop, "failed_attempt", reason="not_home", note="Ingen hjemme")
    assert answer.status_code == 302
    event = TrackingEvent.objects.for_tenant(stop.tenant).get(
        shipment=stop, status=Status.FAILED_ATTEMPT
    )
    assert event.reason == "not_home"
    assert event.note == "Ingen hjemme"


def test_an_invalid_step_is_refused_with_a_message(carl_client: Client, stop: Shipment) -> None:
    answer = _post(
        carl_client, stop, "delivered", recipient_name="M", signature=signature_data_url()
    )
    assert answer.status_code == 400
    assert "cannot become" in answer.content.decode()
    stop.refresh_from_db()
    assert stop.status == Status.ASSIGNED
