"""How a Budstikke customer's attributes map to e-conomic's customer fields."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from budstikke.customers.models import Customer
from budstikke.economic.merge import canonical_fields

# e-conomic name → Customer attribute
FIELD_MAP = {
    "name": "name",
    "address": "address",
    "zip": "zip",
    "city": "city",
    "country": "country",
    "email": "email",
    "mobilePhone": "mobile_phone",
    "telephoneAndFaxNumber": "telephone_and_fax",
    "corporateIdentificationNumber": "cvr",
    "ean": "ean",
    "website": "website",
    "currency": "currency",
    "customerGroup": "customer_group",
    "paymentTerms": "payment_terms",
    "vatZone": "vat_zone",
    "barred": "barred",
    "creditLimit": "credit_limit",
}
ECONOMIC_NAME = {attr: name for name, attr in FIELD_MAP.items()}
REQUIRED_DEFAULTS = {"currency": "DKK", "customerGroup": 1, "paymentTerms": 1, "vatZone": 1}


def local_fields(customer: Customer) -> dict[str, Any]:
    """The customer's mapped fields in e-conomic's names, canonical (see merge.py)."""
    return canonical_fields({name: getattr(customer, attr) for name, attr in FIELD_MAP.items()})


def apply_fields(customer: Customer, values: Mapping[str, Any]) -> bool:
    """Set mapped fields from canonical values (None clears); True when the name changed."""
    name_changed = False
    for name, given in values.items():
        value = given
        attr = FIELD_MAP.get(name)
        if attr is None:
            continue
        if name == "barred":
            value = bool(value)
        elif name == "creditLimit":
            try:
                value = None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))
            except InvalidOperation:
                value = None
        elif name in REQUIRED_DEFAULTS:
            value = REQUIRED_DEFAULTS[name] if value is None else value
        elif name == "name":
            value = value or ""
            name_changed = name_changed or value != customer.name
        setattr(customer, attr, value)
    return name_changed
