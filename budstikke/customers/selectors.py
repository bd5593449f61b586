"""Reads the customer pages and the API share."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from budstikke.customers import search
from budstikke.customers.models import Customer, CustomFieldDefinition
from budstikke.tenants.models import Tenant


def filtered(
    tenant: Tenant, *, q: str = "", state: str = "", tag: str = "", archived: str = ""
) -> QuerySet[Customer]:
    """Names are encrypted, so lists are ordered by customer number, then creation."""
    found = search.search(tenant, q or "")
    if state:
        found = found.filter(sync_state=state)
    if tag:
        found = found.filter(tags__icontains=f",{tag.strip().lower()},")
    if archived == "yes":
        found = found.filter(archived_at__isnull=False)
    elif archived != "all":
        found = found.filter(archived_at__isnull=True)
    return found.order_by("customer_number", "pk")


def definitions(tenant: Tenant) -> list[CustomFieldDefinition]:
    return list(CustomFieldDefinition.objects.for_tenant(tenant))


def custom_values(customer: Customer) -> list[tuple[str, Any]]:
    """(label, value) of each custom field, defined ones first, then values kept from fields
    that were removed."""
    values = dict(customer.custom_fields or {})
    shown = []
    for definition in definitions(customer.tenant):
        shown.append((definition.label, values.pop(definition.key, "")))
    shown += sorted(values.items())
    return shown


def open_conflicts(customer: Customer) -> list[Any]:
    from budstikke.economic.models import Conflict

    return list(
        Conflict.objects.for_tenant(customer.tenant)
        .filter(customer=customer, resolution=Conflict.Resolution.OPEN)
        .order_by("-created_at", "-pk")
    )


def push_error(customer: Customer) -> str:
    from budstikke.economic.models import Push

    failed = (
        Push.objects.for_tenant(customer.tenant)
        .filter(customer=customer, status=Push.Status.FAILED)
        .order_by("-pk")
        .first()
    )
    return failed.last_error if failed is not None else ""
