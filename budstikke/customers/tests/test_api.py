"""`/api/v1/customers` with API keys of tenant A and tenant B."""

from __future__ import annotations

import pytest
from django.test import Client

from budstikke.api.actions import create_api_key
from budstikke.customers.actions import create_customer
from budstikke.customers.models import Customer
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


def _auth(personas: Personas, tenant: str = "a", scopes: list[str] | None = None) -> dict[str, str]:
    _key, secret = create_api_key(
        tenant=personas.tenant_a if tenant == "a" else personas.tenant_b,
        name="shop",
        scopes=scopes or ["customers:read", "customers:write"],
        created_by=None,
    )
    return {"Authorization": f"Bearer {secret}"}


def test_create_get_update_archive(client: Client, personas: Personas) -> None:
    auth = _auth(personas)
    created = client.post(
        "/api/v1/customers",
        {"name": "Fragt ApS", "email": "ordre@fragt.dk", "tags": ["VIP"], "credit_limit": "1000"},
        content_type="application/json",
        headers=auth,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "Fragt ApS"
    assert body["tags"] == ["vip"]
    assert body["sync_state"] == "local"
    one = client.get(f"/api/v1/customers/{body['id']}", headers=auth).json()
    assert one["email"] == "ordre@fragt.dk"
    changed = client.patch(
        f"/api/v1/customers/{body['id']}",
        {"city": "Odense"},
        content_type="application/json",
        headers=auth,
    ).json()
    assert changed["city"] == "Odense"
    assert changed["name"] == "Fragt ApS"
    archived = client.post(f"/api/v1/customers/{body['id']}/archive", headers=auth).json()
    assert archived["archived"] is True


def test_bad_input_is_a_clear_error(client: Client, personas: Personas) -> None:
    auth = _auth(personas)
    response = client.post(
        "/api/v1/customers",
        {"name": "X", "email": "nope", "currency": "ZUL"},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert not Customer.objects.dangerously_unscoped().exists()


def test_the_list_pages_with_a_cursor(client: Client, personas: Personas) -> None:
    for i in range(5):
        create_customer(tenant=personas.tenant_a, name=f"Kunde {i}{i}")
    auth = _auth(personas)
    seen: list[str] = []
    cursor = ""
    for _ in range(5):
        page = client.get(
            "/api/v1/customers", {"limit": "2", "cursor": cursor}, headers=auth
        ).json()
        seen += [c["name"] for c in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert seen == [f"Kunde {i}{i}" for i in range(5)]
    found = client.get("/api/v1/customers", {"q": "kunde 33"}, headers=auth).json()
    assert [c["name"] for c in found["items"]] == ["Kunde 33"]
    bad = client.get("/api/v1/customers", {"cursor": "!!"}, headers=auth)
    assert bad.status_code == 400


def test_a_read_key_cannot_write(client: Client, personas: Personas) -> None:
    auth = _auth(personas, scopes=["customers:read"])
    response = client.post(
        "/api/v1/customers", {"name": "X"}, content_type="application/json", headers=auth
    )
    assert response.status_code == 403


def test_another_tenants_key_sees_nothing(client: Client, personas: Personas) -> None:
    customer = create_customer(tenant=personas.tenant_a, name="Fragt ApS")
    auth = _auth(personas, tenant="b")
    assert client.get(f"/api/v1/customers/{customer.pk}", headers=auth).status_code == 404
    assert client.get("/api/v1/customers", headers=auth).json()["items"] == []
    patched = client.patch(
        f"/api/v1/customers/{customer.pk}",
        {"name": "Stolen"},
        content_type="application/json",
        headers=auth,
    )
    assert patched.status_code == 404
    assert client.post(f"/api/v1/customers/{customer.pk}/archive", headers=auth).status_code == 404
    customer.refresh_from_db()
    assert customer.name == "Fragt ApS"
    assert customer.archived_at is None


def test_unknown_api_paths_still_answer_json_404(client: Client, personas: Personas) -> None:
    response = client.get("/api/v1/nothing-here", headers=_auth(personas))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
