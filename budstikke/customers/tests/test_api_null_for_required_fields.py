"""Found by the schema fuzzer: an explicit JSON null for a field that cannot be empty
(currency, groups, terms, VAT zone, service, tags) was written as NULL and answered 500.
A null there now leaves the field as it is."""

from __future__ import annotations

import pytest
from django.test import Client

from budstikke.api.actions import create_api_key
from budstikke.customers.models import Customer
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db

NULLS = {
    "currency": None,
    "customer_group": None,
    "payment_terms": None,
    "vat_zone": None,
    "default_service": None,
    "tags": None,
}


def _auth(personas: Personas) -> dict[str, str]:
    _key, secret = create_api_key(
        tenant=personas.tenant_a,
        name="shop",
        scopes=["customers:read", "customers:write"],
        created_by=None,
    )
    return {"Authorization": f"Bearer {secret}"}


def test_it_creates_a_customer_with_nulls_as_defaults(client: Client, personas: Personas) -> None:
    response = client.post(
        "/api/v1/customers",
        {"name": "Fragt ApS", **NULLS},
        content_type="application/json",
        headers=_auth(personas),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["currency"], body["customer_group"], body["tags"]) == ("DKK", 1, [])


def test_it_keeps_fields_a_patch_sets_to_null(client: Client, personas: Personas) -> None:
    auth = _auth(personas)
    created = client.post(
        "/api/v1/customers",
        {"name": "Fragt ApS", "currency": "EUR", "tags": ["vip"]},
        content_type="application/json",
        headers=auth,
    ).json()
    response = client.patch(
        f"/api/v1/customers/{created['id']}", NULLS, content_type="application/json", headers=auth
    )
    assert response.status_code == 200, response.content
    assert (response.json()["currency"], response.json()["tags"]) == ("EUR", ["vip"])
    assert Customer.objects.for_tenant(personas.tenant_a).get().currency == "EUR"
