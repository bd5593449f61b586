"""Every write to customers. A local change that e-conomic should see is queued in the same
transaction (ARCHITECTURE invariant 3); the worker pushes it later."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from budstikke.core import clock
from budstikke.customers import search
from budstikke.customers.models import Customer, CustomFieldDefinition
from budstikke.tenants.models import Tenant

# Fields people may set through the pages and the API (bookkeeping fields are not among them).
EDITABLE = (
    "name",
    "address",
    "zip",
    "city",
    "country",
    "email",
    "mobile_phone",
    "telephone_and_fax",
    "cvr",
    "ean",
    "website",
    "currency",
    "customer_group",
    "payment_terms",
    "vat_zone",
    "credit_limit",
    "pickup_addresses",
    "contact_persons",
    "default_service",
    "tags",
    "notes",
    "custom_fields",
)
TEXT_FIELDS = (
    "address",
    "zip",
    "city",
    "country",
    "email",
    "mobile_phone",
    "telephone_and_fax",
    "cvr",
    "ean",
    "website",
    "notes",
)


def normalise_tags(tags: str | Iterable[str]) -> str:
    """ ",express,vip," — commas delimit, so one tag is matched exactly with a LIKE."""
    items = tags.split(",") if isinstance(tags, str) else list(tags)
    cleaned = list(dict.fromkeys(t.strip().lower() for t in items if t and t.strip()))
    return f",{','.join(cleaned)}," if cleaned else ""


def _apply(customer: Customer, changes: Mapping[str, Any]) -> bool:
    """Set the given fields; True when the name changed (its search tokens must follow)."""
    name_changed = False
    for field, given in changes.items():
        value = given
        if field not in EDITABLE:
            raise ValueError(f"{field} cannot be changed here")
        if field in TEXT_FIELDS and isinstance(value, str):
            value = value.strip() or None
        if field == "name":
            value = str(value).strip()
            name_changed = name_changed or value != customer.name
        if field == "tags":
            value = normalise_tags(value)
        setattr(customer, field, value)
    return name_changed


def _queue_push(customer: Customer) -> None:
    from budstikke.economic.actions import note_local_change

    note_local_change(customer)


@transaction.atomic
def create_customer(*, tenant: Tenant, **fields: Any) -> Customer:
    customer = Customer(tenant=tenant)
    _apply(customer, fields)
    customer.save()
    search.index_name(customer)
    _queue_push(customer)
    return customer


@transaction.atomic
def update_customer(customer: Customer, **changes: Any) -> Customer:
    name_changed = _apply(customer, changes)
    customer.updated_at = clock.now()
    customer.save()
    if name_changed:
        search.index_name(customer)
    _queue_push(customer)
    return customer


@transaction.atomic
def archive_customer(customer: Customer) -> Customer:
    """Archived, never destroyed (shipments and invoices refer to it); e-conomic bars it."""
    if customer.archived_at is None:
        customer.archived_at = clock.now()
        customer.updated_at = customer.archived_at
        customer.save(update_fields=["archived_at", "updated_at"])
        _queue_push(customer)
    return customer


@transaction.atomic
def restore_customer(customer: Customer) -> Customer:
    if customer.archived_at is not None:
        customer.archived_at = None
        customer.updated_at = clock.now()
        customer.save(update_fields=["archived_at", "updated_at"])
    return customer


@transaction.atomic
def define_custom_field(
    *, tenant: Tenant, key: str, label: str, kind: str, required: bool
) -> CustomFieldDefinition:
    position = CustomFieldDefinition.objects.for_tenant(tenant).count()
    definition: CustomFieldDefinition = CustomFieldDefinition.objects.create(
        tenant=tenant, key=key, label=label, kind=kind, required=required, position=position
    )
    return definition


@transaction.atomic
def remove_custom_field(definition: CustomFieldDefinition) -> None:
    """The definition goes; values already stored stay in customers' (encrypted) data."""
    definition.delete()
