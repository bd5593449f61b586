from __future__ import annotations

import pytest
from django.test import Client

from budstikke.shield.models import SecurityEvent
from budstikke.shipments import actions, numbers, public
from budstikke.shipments.machine import Status
from budstikke.shipments.testing import make_shipment
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    public.reset_limits()


def test_it_shows_status_but_no_recipient_until_the_postcode_is_entered(
    client: Client, personas: Personas
) -> None:
    shipment = make_shipment(personas.tenant_a, delivery_postcode="1620")
    for status in (Status.ASSIGNED, Status.PICKED_UP, Status.OUT_FOR_DELIVERY, Status.DELIVERED):
        actions.transition(shipment, status, actor=personas.carl)
    url = f"/t/{shipment.tracking_number}"

    page = client.get(url).content.decode()
    assert "Delivered" in page
    assert "Mette Mogensen" not in page
    assert "Vesterbrogade" not in page

    wrong = client.post(url, {"postcode": "9999"}).content.decode()
    assert "Mette Mogensen" not in wrong
    assert "does not match" in wrong

    right = client.post(url, {"postcode": "16 20"}).content.decode()
    assert "Mette Mogensen" in right
    assert "Vesterbrogade" in right


def test_the_page_speaks_danish_or_english(client: Client, personas: Personas) -> None:
    shipment = make_shipment(personas.tenant_a)
    danish = client.get(f"/t/{shipment.tracking_number}?lang=da")
    assert danish["Content-Language"] == "da"
    assert "Oprettet" in danish.content.decode()
    english = client.get(f"/t/{shipment.tracking_number}?lang=en")
    assert "Created" in english.content.decode()


def test_failed_lookups_are_security_events(client: Client, personas: Personas) -> None:
    shipment = make_shipment(personas.tenant_a)
    wrong = numbers.new_tracking_number(personas.tenant_a)  # well formed, never issued
    assert client.get(f"/t/{wrong}").status_code == 404
    assert client.get("/t/NOT-A-NUMBER").status_code == 404
    client.post(f"/t/{shipment.tracking_number}", {"postcode": "0000"})
    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.TRACKING_LOOKUP_FAILED)
    assert sorted(e.detail["reason"] for e in events) == ["malformed", "postcode", "unknown"]
    assert "0000" not in str([e.detail for e in events])


def test_lookups_are_rate_limited(
    client: Client, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(public, "LOOKUPS_PER_MINUTE", 3)
    shipment = make_shipment(personas.tenant_a)
    codes = [client.get(f"/t/{shipment.tracking_number}").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_postcode_guessing_is_cut_off(
    client: Client, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipment = make_shipment(personas.tenant_a, delivery_postcode="1620")
    url = f"/t/{shipment.tracking_number}"
    for guess in range(public.POSTCODE_TRIES_PER_HOUR):
        client.post(url, {"postcode": f"{1000 + guess}"})
    page = client.post(url, {"postcode": "1620"}).content.decode()
    assert "Too many attempts" in page
    assert "Mette Mogensen" not in page


def test_postcode_guessing_is_cut_off_while_redis_is_unreachable(
    client: Client, personas: Personas, redis_unreachable: str
) -> None:
    shipment = make_shipment(personas.tenant_a, delivery_postcode="1620")
    url = f"/t/{shipment.tracking_number}"
    for guess in range(public.POSTCODE_TRIES_PER_HOUR):
        assert (
            "does not match" in client.post(url, {"postcode": f"{1000 + guess}"}).content.decode()
        )
    page = client.post(url, {"postcode": "1620"}).content.decode()
    assert "Too many attempts" in page
    assert "Mette Mogensen" not in page
