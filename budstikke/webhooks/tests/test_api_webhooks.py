"""`/api/v1/webhooks`: endpoints CRUD with scoped API keys; the secret is in the create
answer only; another tenant's endpoint is a JSON 404."""

from __future__ import annotations

import pytest
from django.test import Client

from budstikke.api.actions import create_api_key
from budstikke.tenants.models import Tenant
from budstikke.tenants.testing import Personas
from budstikke.webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


def _key(tenant: Tenant, *scopes: str) -> dict[str, str]:
    _api_key, secret = create_api_key(
        tenant=tenant, name="Shop", scopes=list(scopes), created_by=None
    )
    return {"Authorization": f"Bearer {secret}"}


def test_endpoint_lifecycle(client: Client, personas: Personas) -> None:
    auth = _key(personas.tenant_a, "webhooks:read", "webhooks:write")
    created = client.post(
        "/api/v1/webhooks",
        {"url": "https://shop.example.com/hooks", "events": ["shipment.delivered"]},
        content_type="application/json",
        headers=auth,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    endpoint_id = body["id"]

    shown = client.get(f"/api/v1/webhooks/{endpoint_id}", headers=auth).json()
    assert "secret" not in shown
    assert shown["events"] == ["shipment.delivered"]
    listed = client.get("/api/v1/webhooks", headers=auth).json()
    assert [e["id"] for e in listed] == [endpoint_id]

    changed = client.patch(
        f"/api/v1/webhooks/{endpoint_id}",
        {"events": ["shipment.created", "shipment.status_changed"], "enabled": False},
        content_type="application/json",
        headers=auth,
    )
    assert changed.status_code == 200
    assert changed.json()["enabled"] is False
    assert changed.json()["events"] == ["shipment.created", "shipment.status_changed"]

    rotated = client.post(f"/api/v1/webhooks/{endpoint_id}/rotate-secret", headers=auth).json()
    assert rotated["secret"] != body["secret"]
    assert client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries", headers=auth).json() == []

    assert client.delete(f"/api/v1/webhooks/{endpoint_id}", headers=auth).status_code == 204
    assert not Endpoint.objects.for_tenant(personas.tenant_a).exists()


def test_bad_input_is_a_json_error_with_a_code(client: Client, personas: Personas) -> None:
    auth = _key(personas.tenant_a, "webhooks:write")
    private = client.post(
        "/api/v1/webhooks",
        {"url": "https://192.168.0.10/hook", "events": ["shipment.created"]},
        content_type="application/json",
        headers=auth,
    )
    assert private.status_code == 422
    assert private.json()["code"] == "invalid_endpoint"
    unknown = client.post(
        "/api/v1/webhooks",
        {"url": "https://shop.example.com/", "events": ["shipment.exploded"]},
        content_type="application/json",
        headers=auth,
    )
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "validation_error"


def test_scopes_and_tenants_are_enforced(client: Client, personas: Personas) -> None:
    theirs = _key(personas.tenant_a, "webhooks:read", "webhooks:write")
    endpoint_id = client.post(
        "/api/v1/webhooks",
        {"url": "https://shop.example.com/hooks", "events": ["shipment.created"]},
        content_type="application/json",
        headers=theirs,
    ).json()["id"]

    read_only = _key(personas.tenant_a, "webhooks:read")
    denied = client.delete(f"/api/v1/webhooks/{endpoint_id}", headers=read_only)
    assert denied.status_code == 403
    assert denied.json()["code"] == "forbidden_scope"

    charlie = _key(personas.tenant_b, "webhooks:read", "webhooks:write")
    for method, path in (
        ("get", f"/api/v1/webhooks/{endpoint_id}"),
        ("get", f"/api/v1/webhooks/{endpoint_id}/deliveries"),
        ("delete", f"/api/v1/webhooks/{endpoint_id}"),
        ("post", f"/api/v1/webhooks/{endpoint_id}/rotate-secret"),
    ):
        answer = getattr(client, method)(path, headers=charlie)
        assert answer.status_code == 404, path
        assert answer.json()["code"] == "not_found"
    assert client.get("/api/v1/webhooks", headers=charlie).json() == []
    assert Endpoint.objects.for_tenant(personas.tenant_a).count() == 1
