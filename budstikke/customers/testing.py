"""Objects of tenant A for the outsider sweep (tenants/tests/test_outsiders.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

from budstikke.customers.actions import create_customer, define_custom_field
from budstikke.customers.models import Customer, CustomFieldDefinition
from budstikke.economic.models import Conflict
from budstikke.tenants.testing import Personas


def _a_customer(p: Personas) -> models.Model:
    return create_customer(tenant=p.tenant_a, name="Alfa Canary ApS", email="canary@alfa.example")


def _a_custom_field(p: Personas) -> models.Model:
    return define_custom_field(
        tenant=p.tenant_a, key="gate_code", label="Gate code", kind="text", required=False
    )


def _a_conflict(p: Personas) -> models.Model:
    customer = create_customer(tenant=p.tenant_a, name="Alfa Conflict ApS")
    conflict: Conflict = Conflict.objects.create(
        tenant=p.tenant_a,
        customer=customer,
        field="city",
        winner="economic",
        reason="both",
        values={"base": "Odense", "economic": "Aarhus", "budstikke": "Vejle"},
    )
    return conflict


OUTSIDER_SAMPLES: dict[type[models.Model], Callable[[Personas], models.Model]] = {
    Customer: _a_customer,
    CustomFieldDefinition: _a_custom_field,
    Conflict: _a_conflict,
}
