from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from budstikke.api.actions import create_api_key
from budstikke.shipments.machine import Status
from budstikke.shipments.models import IdempotencyKey, Shipment, TrackingEvent
from budstikke.shipments.testing import make_customer
from budstikke.tenants.models import Tenant
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db

SCOPES = ["shipments:read", "shipments:write"]


def _headers(tenant: Tenant, **extra: str) -> dict[str, str]:
    secret = create_api_key(tenant=tenant, name="Shop", scopes=SCOPES, created_by=None)[1]
    return {"Authorization": f"Bearer {secret}", **extra}


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customer_number": 1001,
        "recipient_name": "Mette Mogensen",
        "recipient_phone": "20 12 34 56",
        "delivery_address": "Vesterbrogade 10",
        "delivery_postcode": "1620",
        "delivery_city": "København V",
        "reference": "ORDER-1",
        "parcels": [{"weight_kg": "2.5"}, {"weight_kg": 1}],
    }
    body.update(overrides)
    return body


@pytest.fixture
def shop(personas: Personas) -> dict[str, str]:
    make_customer(personas.tenant_a, customer_number=1001)
    return _headers(personas.tenant_a)


def test_it_creates_a_shipment_with_parcels_and_price(client: Client, shop: dict[str, str]) -> None:
    response = client.post("/api/v1/shipments", _body(), "application/json", headers=shop)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "created"
    assert body["recipient"]["phone"] == "+4520123456"
    assert [p["sequence"] for p in body["parcels"]] == [1, 2]
    assert body["pickup"]["city"] == "Valby"  # the customer's saved pickup address
    assert body["tracking_url"].endswith("/t/" + body["tracking_number"])


def test_the_same_idempotency_key_and_body_creates_one_shipment(
    client: Client, shop: dict[str, str]
) -> None:
    headers = {**shop, "Idempotency-Key": "order-1-attempt"}
    first = client.post("/api/v1/shipments", _body(), "application/json", headers=headers)
    again = client.post("/api/v1/shipments", _body(), "application/json", headers=headers)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["tracking_number"] == first.json()["tracking_number"]
    assert Shipment.objects.dangerously_unscoped().count() == 1


def test_the_same_idempotency_key_with_another_body_is_409(
    client: Client, shop: dict[str, str]
) -> None:
    headers = {**shop, "Idempotency-Key": "order-1-attempt"}
    client.post("/api/v1/shipments", _body(), "application/json", headers=headers)
    other = client.post(
        "/api/v1/shipments", _body(reference="ORDER-2"), "application/json", headers=headers
    )
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_conflict"
    assert Shipment.objects.dangerously_unscoped().count() == 1


def test_idempotency_keys_belong_to_one_api_key(
    client: Client, personas: Personas, shop: dict[str, str]
) -> None:
    other_key = _headers(personas.tenant_a, **{"Idempotency-Key": "same"})
    client.post(
        "/api/v1/shipments",
        _body(),
        "application/json",
        headers={**shop, "Idempotency-Key": "same"},
    )
    second = client.post("/api/v1/shipments", _body(), "application/json", headers=other_key)
    assert second.status_code == 201
    assert IdempotencyKey.objects.dangerously_unscoped().count() == 2


def test_invalid_fields_are_named_in_a_422(client: Client, shop: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/shipments",
        _body(customer_number=999, recipient_phone="12", delivery_postcode=""),
        "application/json",
        headers=shop,
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["errors"]) >= {"customer_number", "recipient_phone", "delivery_postcode"}
    assert not Shipment.objects.dangerously_unscoped().exists()


def test_the_list_pages_with_a_cursor(client: Client, shop: dict[str, str]) -> None:
    made = [
        client.post(
            "/api/v1/shipments", _body(reference=f"R{i}"), "application/json", headers=shop
        ).json()["tracking_number"]
        for i in range(5)
    ]
    seen: list[str] = []
    url = "/api/v1/shipments?limit=2"
    while True:
        page = client.get(url, headers=shop).json()
        seen += [item["tracking_number"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        url = f"/api/v1/shipments?limit=2&cursor={page['next_cursor']}"
    assert sorted(seen) == sorted(made)
    assert len(seen) == 5
    bad = client.get("/api/v1/shipments?cursor=nonsense", headers=shop)
    assert bad.status_code == 422


def test_get_events_cancel_and_label(client: Client, shop: dict[str, str]) -> None:
    number = client.post("/api/v1/shipments", _body(), "application/json", headers=shop).json()[
        "tracking_number"
    ]
    assert client.get(f"/api/v1/shipments/{number}", headers=shop).json()["status"] == "created"
    cancelled = client.post(f"/api/v1/shipments/{number}/cancel", headers=shop)
    assert cancelled.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/shipments/{number}/cancel", headers=shop)
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    events = client.get(f"/api/v1/shipments/{number}/events", headers=shop).json()
    assert [e["status"] for e in events] == ["created", "cancelled"]
    pdf = client.get(f"/api/v1/shipments/{number}/label?format=pdf", headers=shop)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    zpl = client.get(f"/api/v1/shipments/{number}/label?format=zpl", headers=shop)
    assert zpl.content.startswith(b"^XA")
    assert (
        client.get(f"/api/v1/shipments/{number}/label?format=png", headers=shop).status_code == 422
    )


def test_charlie_gets_404_for_tenant_a_shipments_over_the_api(
    client: Client, personas: Personas, shop: dict[str, str]
) -> None:
    number = client.post("/api/v1/shipments", _body(), "application/json", headers=shop).json()[
        "tracking_number"
    ]
    charlie = _headers(personas.tenant_b)
    for url in (
        f"/api/v1/shipments/{number}",
        f"/api/v1/shipments/{number}/events",
        f"/api/v1/shipments/{number}/label?format=pdf",
        f"/api/v1/shipments/{number}/label?format=zpl",
    ):
        response = client.get(url, headers=charlie)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    assert client.post(f"/api/v1/shipments/{number}/cancel", headers=charlie).status_code == 404
    assert client.get("/api/v1/shipments", headers=charlie).json()["items"] == []
    shipment = Shipment.objects.dangerously_unscoped().get(tracking_number=number)
    assert shipment.status == Status.CREATED
    assert TrackingEvent.objects.dangerously_unscoped().filter(shipment=shipment).count() == 1


def test_the_openapi_schema_lists_the_shipment_endpoints(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    assert {"/api/v1/shipments", "/api/v1/shipments/{tracking}/label"} <= set(schema["paths"])
