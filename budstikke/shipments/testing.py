"""Test factories for shipments, shared with dispatch, webhooks and billing tests."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import models

from budstikke.customers.models import Customer
from budstikke.shipments import actions
from budstikke.shipments.actions import ParcelDraft, ShipmentDraft
from budstikke.shipments.models import (
    CsvImport,
    PriceRule,
    PriceSurcharge,
    PriceZone,
    Shipment,
    Source,
)
from budstikke.tenants.models import Tenant
from budstikke.tenants.testing import Personas


def make_customer(tenant: Tenant, name: str = "Cykelbutikken ApS", **fields: Any) -> Customer:
    defaults: dict[str, Any] = {
        "address": "Nørregade 1",
        "zip": "1165",
        "city": "København K",
        "country": "DK",
        "pickup_addresses": [
            {
                "name": "Lager Valby",
                "address": "Gammel Køge Landevej 55",
                "zip": "2500",
                "city": "Valby",
                "country": "DK",
            }
        ],
    }
    defaults.update(fields)
    customer: Customer = Customer.objects.create(tenant=tenant, name=name, **defaults)
    return customer


def draft(customer: Customer, **overrides: Any) -> ShipmentDraft:
    values: dict[str, Any] = {
        "customer": customer,
        "recipient_name": "Mette Mogensen",
        "recipient_phone": "+4520123456",
        "recipient_email": "mette@example.dk",
        "delivery_address": "Vesterbrogade 10, 2. th.",
        "delivery_postcode": "1620",
        "delivery_city": "København V",
        "pickup_name": "Lager Valby",
        "pickup_address": "Gammel Køge Landevej 55",
        "pickup_postcode": "2500",
        "pickup_city": "Valby",
        "parcels": [ParcelDraft(weight_kg=Decimal("2.5"))],
    }
    values.update(overrides)
    return ShipmentDraft(**values)


def make_shipment(
    tenant: Tenant, customer: Customer | None = None, *, source: str = Source.WEB, **overrides: Any
) -> Shipment:
    customer = customer or make_customer(tenant)
    return actions.create_shipment(
        tenant, draft(customer, **overrides), source=source, actor="test"
    )


def _a_shipment(p: Personas) -> models.Model:
    return make_shipment(p.tenant_a)


def _a_csv_import(p: Personas) -> models.Model:
    made: models.Model = CsvImport.objects.create(
        tenant=p.tenant_a, content=b"customer_number\n1\n"
    )
    return made


def _a_price_zone(p: Personas) -> models.Model:
    made: models.Model = PriceZone.objects.create(
        tenant=p.tenant_a, name="Storkøbenhavn", postcodes="1000-2999"
    )
    return made


def _a_price_rule(p: Personas) -> models.Model:
    made: models.Model = PriceRule.objects.create(tenant=p.tenant_a, price=Decimal("49"))
    return made


def _a_surcharge(p: Personas) -> models.Model:
    made: models.Model = PriceSurcharge.objects.create(
        tenant=p.tenant_a, kind=PriceSurcharge.Kind.ALWAYS, label="Brændstof", percent=5
    )
    return made


# Samples of tenant A for tenants/tests/test_outsiders.py (one per model a URL can name).
OUTSIDER_SAMPLES: dict[type[models.Model], Callable[[Personas], models.Model]] = {
    Shipment: _a_shipment,
    CsvImport: _a_csv_import,
    PriceZone: _a_price_zone,
    PriceRule: _a_price_rule,
    PriceSurcharge: _a_surcharge,
}
