from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from budstikke.shield.models import SecurityEvent
from budstikke.shipments.machine import Status
from budstikke.shipments.models import PriceRule, PriceZone, Shipment, TrackingEvent
from budstikke.shipments.testing import make_customer, make_shipment
from budstikke.tenants.testing import Personas, outsider_test

pytestmark = pytest.mark.django_db


def _form(customer_pk: int, **overrides: str) -> dict[str, str]:
    data = {
        "customer": str(customer_pk),
        "pickup": "1",
        "service": "standard",
        "recipient_name": "Mette Mogensen",
        "recipient_phone": "20123456",
        "recipient_language": "da",
        "delivery_address": "Vesterbrogade 10",
        "delivery_postcode": "1620",
        "delivery_city": "København V",
        "delivery_country": "DK",
        "parcel_count": "2",
        "weight_kg": "1,5",
    }
    data.update(overrides)
    return data


def test_a_dispatcher_creates_a_shipment_from_a_saved_pickup_address(
    bob_client: Client, personas: Personas
) -> None:
    customer = make_customer(personas.tenant_a)
    step_two = bob_client.get("/tenant/shipments/new/", {"customer": customer.pk})
    assert "Gammel Køge Landevej 55" in step_two.content.decode()
    response = bob_client.post("/tenant/shipments/new/", _form(customer.pk))
    assert response.status_code == 302
    shipment = Shipment.objects.for_tenant(personas.tenant_a).get()
    assert shipment.pickup_address == "Gammel Køge Landevej 55"
    assert shipment.parcel_count == 2
    assert shipment.weight_kg == Decimal("3.000")
    assert shipment.recipient_phone == "+4520123456"
    detail = bob_client.get(response["Location"]).content.decode()
    assert shipment.tracking_number in detail


def test_the_form_shows_each_error_next_to_its_field(
    bob_client: Client, personas: Personas
) -> None:
    customer = make_customer(personas.tenant_a)
    response = bob_client.post(
        "/tenant/shipments/new/",
        _form(customer.pk, delivery_postcode="", recipient_email="nope", weight_kg="x"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"delivery_postcode", "recipient_email", "weight_kg"}
    assert not Shipment.objects.dangerously_unscoped().exists()


def test_the_price_is_frozen_at_creation(bob_client: Client, personas: Personas) -> None:
    zone = PriceZone.objects.create(tenant=personas.tenant_a, name="KBH", postcodes="1000-2999")
    rule = PriceRule.objects.create(tenant=personas.tenant_a, zone=zone, price=Decimal("59"))
    PriceRule.objects.create(tenant=personas.tenant_a, price=Decimal("99"))
    shipment = make_shipment(personas.tenant_a, delivery_postcode="1620")
    assert (shipment.price, shipment.zone) == (Decimal("59"), "KBH")
    rule.price = Decimal("79")
    rule.save()
    shipment.refresh_from_db()
    assert shipment.price == Decimal("59.00")
    assert make_shipment(personas.tenant_a, delivery_postcode="1620").price == Decimal("79")
    assert make_shipment(personas.tenant_a, delivery_postcode="8000").price == Decimal("99")


def test_an_admin_edits_price_rules(alice_client: Client, personas: Personas) -> None:
    response = alice_client.post(
        "/tenant/shipments/prices/",
        {"kind": "zone", "zone-name": "Fyn", "zone-postcodes": "5000-5999", "zone-position": "1"},
    )
    assert response.status_code == 302
    bad = alice_client.post(
        "/tenant/shipments/prices/",
        {"kind": "zone", "zone-name": "X", "zone-postcodes": "50-10", "zone-position": "1"},
    )
    assert "runs backwards" in bad.content.decode()
    zone = PriceZone.objects.for_tenant(personas.tenant_a).get()
    alice_client.post(f"/tenant/shipments/prices/zones/{zone.pk}/delete/")
    assert not PriceZone.objects.for_tenant(personas.tenant_a).exists()


def test_a_courier_has_no_shipment_office_pages(carl_client: Client) -> None:
    assert carl_client.get("/tenant/shipments/").status_code == 403
    assert carl_client.get("/tenant/shipments/new/").status_code == 403


@outsider_test(
    "shipments:list",
    "shipments:new",
    "shipments:detail",
    "shipments:events",
    "shipments:label",
    "shipments:cancel",
    "shipments:import",
    "shipments:import-template",
    "shipments:import-preview",
    "shipments:prices",
    "shipments:zone-delete",
    "shipments:rule-delete",
    "shipments:surcharge-delete",
)
def test_charlie_gets_404_for_tenant_a_shipments_labels_and_events(
    charlie_client: Client, personas: Personas
) -> None:
    customer = make_customer(personas.tenant_a)
    shipment = make_shipment(personas.tenant_a, customer)
    for url in (
        f"/tenant/shipments/{shipment.pk}/",
        f"/tenant/shipments/{shipment.pk}/events/",
        f"/tenant/shipments/{shipment.pk}/label/?format=pdf",
        f"/tenant/shipments/{shipment.pk}/label/?format=zpl",
        f"/tenant/shipments/{shipment.pk}/cancel/",
        f"/tenant/shipments/new/?customer={customer.pk}",
    ):
        assert charlie_client.get(url).status_code == 404, url
    assert charlie_client.post(f"/tenant/shipments/{shipment.pk}/cancel/").status_code == 404
    assert charlie_client.post("/tenant/shipments/new/", _form(customer.pk)).status_code == 404
    # Charlie's own pages list only Beta Bud's (no) shipments.
    listing = charlie_client.get("/tenant/shipments/", {"q": shipment.tracking_number})
    assert "Mette Mogensen" not in listing.content.decode()
    assert "No shipments." in listing.content.decode()
    shipment.refresh_from_db()
    assert shipment.status == Status.CREATED
    assert TrackingEvent.objects.dangerously_unscoped().count() == 1
    assert Shipment.objects.dangerously_unscoped().count() == 1
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.CROSS_TENANT).count() >= 7
