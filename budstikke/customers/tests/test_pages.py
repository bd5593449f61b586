"""Customer pages as Alice (admin), Bob (dispatcher), Carl (courier) and Charlie (outsider)."""

from __future__ import annotations

import pytest
from django.test import Client

from budstikke.customers.actions import create_customer
from budstikke.customers.models import Customer, CustomFieldDefinition
from budstikke.tenants.testing import Personas, outsider_test

pytestmark = pytest.mark.django_db


def _customer(personas: Personas, name: str = "Fragt & Søn ApS") -> Customer:
    return create_customer(
        tenant=personas.tenant_a, name=name, email="ordre@fragt.dk", city="Aarhus C", tags="vip"
    )


def test_the_list_shows_customers_with_their_sync_state(
    alice_client: Client, personas: Personas
) -> None:
    _customer(personas)
    response = alice_client.get("/tenant/customers/")
    assert response.status_code == 200
    assert "Fragt &amp; Søn ApS" in response.content.decode()
    assert "Not synced" in response.content.decode()


def test_search_finds_by_name_prefix_email_and_filters_by_tag(
    bob_client: Client, personas: Personas
) -> None:
    _customer(personas)
    _customer(personas, "Blå Bud A/S")
    page = bob_client.get("/tenant/customers/", {"q": "frag sø"}).content.decode()
    assert "Fragt &amp; Søn ApS" in page
    assert "Blå Bud" not in page
    page = bob_client.get("/tenant/customers/", {"q": "ORDRE@fragt.dk"}).content.decode()
    assert "Fragt &amp; Søn ApS" in page
    page = bob_client.get("/tenant/customers/", {"q": "bla"}).content.decode()
    assert "Blå Bud" in page
    assert "Fragt" not in page
    assert "Fragt" not in bob_client.get("/tenant/customers/", {"tag": "nope"}).content.decode()


def test_creating_shows_errors_per_field_and_loses_nothing(alice_client: Client) -> None:
    response = alice_client.post(
        "/tenant/customers/new/",
        {"name": "", "email": "not-an-address", "city": "Vejle", "currency": "DKK"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "name" in form.errors
    assert "email" in form.errors
    assert 'value="Vejle"' in response.content.decode()
    assert not Customer.objects.dangerously_unscoped().exists()


def test_creating_and_editing_keeps_extended_and_custom_fields(
    alice_client: Client, personas: Personas
) -> None:
    CustomFieldDefinition.objects.create(
        tenant=personas.tenant_a, key="gate", label="Gate code", kind="text"
    )
    data = {
        "name": "Kurérkompagniet",
        "currency": "DKK",
        "customer_group": "1",
        "payment_terms": "1",
        "vat_zone": "1",
        "default_service": "express",
        "tags": "VIP, Nat",
        "pickup_addresses": "Lager | Havnevej 3, 8000 Aarhus | Ring på klokken",
        "contact_persons": "Mette Hansen | mette@kk.dk | 20304050 | indkøb",
        "cf_gate": "4711",
        "notes": "Kun hverdage",
    }
    response = alice_client.post("/tenant/customers/new/", data)
    assert response.status_code == 302
    customer = Customer.objects.for_tenant(personas.tenant_a).get()
    assert customer.pickup_addresses == [
        {"label": "Lager", "address": "Havnevej 3, 8000 Aarhus", "instructions": "Ring på klokken"}
    ]
    assert customer.contact_persons[0]["email"] == "mette@kk.dk"
    assert customer.custom_fields == {"gate": "4711"}
    assert customer.tag_list == ["vip", "nat"]
    page = alice_client.get(f"/tenant/customers/{customer.pk}/").content.decode()
    assert "Ring på klokken" in page
    assert "4711" in page
    data["name"] = "Kurérkompagniet A/S"
    assert alice_client.post(f"/tenant/customers/{customer.pk}/edit/", data).status_code == 302
    customer.refresh_from_db()
    assert customer.name == "Kurérkompagniet A/S"


def test_archiving_hides_the_customer_from_the_list(
    alice_client: Client, personas: Personas
) -> None:
    customer = _customer(personas)
    assert alice_client.post(f"/tenant/customers/{customer.pk}/archive/").status_code == 302
    assert "Fragt" not in alice_client.get("/tenant/customers/").content.decode()
    archived = alice_client.get("/tenant/customers/", {"archived": "yes"}).content.decode()
    assert "Fragt" in archived


def test_pages_are_in_danish_too(alice_client: Client, personas: Personas) -> None:
    _customer(personas)
    page = alice_client.get("/tenant/customers/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Kunder" in page
    assert "Ikke synkroniseret" in page


def test_a_courier_may_not_see_customers(carl_client: Client, personas: Personas) -> None:
    customer = _customer(personas)
    assert carl_client.get("/tenant/customers/").status_code == 403
    assert carl_client.get(f"/tenant/customers/{customer.pk}/").status_code == 403


def test_only_the_admin_defines_custom_fields(
    alice_client: Client, bob_client: Client, personas: Personas
) -> None:
    assert bob_client.get("/tenant/customers/fields/").status_code == 403
    response = alice_client.post(
        "/tenant/customers/fields/", {"label": "Gate code", "key": "gate", "kind": "text"}
    )
    assert response.status_code == 302
    again = alice_client.post(
        "/tenant/customers/fields/", {"label": "Other", "key": "gate", "kind": "text"}
    )
    assert "key" in again.context["form"].errors


@outsider_test(
    "customers:list",
    "customers:create",
    "customers:detail",
    "customers:edit",
    "customers:archive",
    "customers:fields",
    "customers:field-remove",
)
def test_an_outsider_gets_404_for_another_tenants_customer(
    charlie_client: Client, personas: Personas
) -> None:
    customer = _customer(personas)
    definition = CustomFieldDefinition.objects.create(
        tenant=personas.tenant_a, key="gate", label="Gate", kind="text"
    )
    for url in (
        f"/tenant/customers/{customer.pk}/",
        f"/tenant/customers/{customer.pk}/edit/",
        f"/tenant/customers/{customer.pk}/archive/",
    ):
        assert charlie_client.get(url).status_code == 404
    assert charlie_client.post(f"/tenant/customers/{customer.pk}/archive/").status_code == 404
    assert (
        charlie_client.post(f"/tenant/customers/fields/{definition.pk}/remove/").status_code == 404
    )
    # Charlie's own list and forms show only Beta Bud's (no) customers.
    assert "Fragt" not in charlie_client.get("/tenant/customers/", {"q": "fragt"}).content.decode()
    customer.refresh_from_db()
    assert customer.archived_at is None
    assert CustomFieldDefinition.objects.filter(pk=definition.pk).exists()
