from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from budstikke.api.models import ApiKey
from budstikke.tenants.testing import Personas, outsider_test, reauthenticate

pytestmark = pytest.mark.django_db


def _create(client: Client, name: str = "Web shop") -> str:
    response = client.post(
        reverse("apikeys:create"), {"name": name, "scopes": ["shipments:read", "customers:read"]}
    )
    assert response.status_code == 200
    found = re.search(r"bsk_[A-Za-z0-9_-]{40,}", response.content.decode())
    assert found
    assert "no-store" in response["Cache-Control"]
    return found.group(0)


def test_the_admin_creates_a_key_and_sees_it_once(alice_client: Client, personas: Personas) -> None:
    reauthenticate(alice_client, personas.alice)
    secret = _create(alice_client)
    me = alice_client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["scopes"] == ["customers:read", "shipments:read"]
    listing = alice_client.get(reverse("apikeys:list")).content.decode()
    assert "Web shop" in listing
    assert secret[:12] in listing
    assert secret not in listing


def test_creating_a_key_demands_reauthentication(alice_client: Client) -> None:
    response = alice_client.post(
        reverse("apikeys:create"), {"name": "X", "scopes": ["shipments:read"]}
    )
    assert reverse("account_reauthenticate") in response["Location"]
    assert not ApiKey.objects.dangerously_unscoped().exists()


def test_a_key_without_scopes_is_refused(alice_client: Client, personas: Personas) -> None:
    reauthenticate(alice_client, personas.alice)
    response = alice_client.post(reverse("apikeys:create"), {"name": "X"})
    assert response.status_code == 200
    assert b"at least one scope" in response.content
    assert not ApiKey.objects.dangerously_unscoped().exists()


def test_the_admin_revokes_a_key(alice_client: Client, personas: Personas) -> None:
    reauthenticate(alice_client, personas.alice)
    secret = _create(alice_client)
    api_key = ApiKey.objects.for_tenant(personas.tenant_a).get()
    alice_client.post(reverse("apikeys:revoke", args=[api_key.pk]))
    me = alice_client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 401


def test_a_dispatcher_cannot_manage_keys(bob_client: Client, personas: Personas) -> None:
    reauthenticate(bob_client, personas.bob)
    assert bob_client.get(reverse("apikeys:list")).status_code == 403
    response = bob_client.post(
        reverse("apikeys:create"), {"name": "X", "scopes": ["shipments:read"]}
    )
    assert response.status_code == 403


@outsider_test("apikeys:list", "apikeys:create")
def test_an_outsider_sees_and_makes_only_their_own_keys(
    alice_client: Client, charlie_client: Client, personas: Personas
) -> None:
    reauthenticate(alice_client, personas.alice)
    _create(alice_client, "Alfa shop")
    assert b"Alfa shop" not in charlie_client.get(reverse("apikeys:list")).content
    reauthenticate(charlie_client, personas.charlie)
    secret = _create(charlie_client, "Beta shop")
    me = charlie_client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["tenant"] == "beta-bud"
    assert ApiKey.objects.for_tenant(personas.tenant_a).count() == 1
