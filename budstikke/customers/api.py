"""`/api/v1/customers`: list (cursor pagination), get, create, update, archive.

A key sees only its own tenant's customers; another tenant's id is a 404 like a missing one.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import field_validator

from budstikke.api.auth import require_scope
from budstikke.api.models import ApiKey
from budstikke.core.tenancy import get_for_tenant_or_404
from budstikke.customers import actions, selectors
from budstikke.customers.models import Customer, Service
from budstikke.economic.simulator.resources import CURRENCIES
from budstikke.tenants.models import Tenant

router = Router(tags=["customers"])
MAX_LIMIT = 200
# The largest value the database's positive integer columns hold.
MAX_NUMBER = 2_147_483_647
NOT_NULLABLE = frozenset(
    {"name", "currency", "customer_group", "payment_terms", "vat_zone", "default_service", "tags"}
)


class PickupAddress(Schema):
    label: str = Field(max_length=100)
    address: str = Field(max_length=510)
    instructions: str = Field("", max_length=1000)


class ContactPerson(Schema):
    name: str = Field(max_length=200)
    email: str = Field("", max_length=255)
    phone: str = Field("", max_length=50)
    role: str = Field("", max_length=100)


class CustomerIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=255)
    address: str | None = Field(None, max_length=510)
    zip: str | None = Field(None, max_length=30)
    city: str | None = Field(None, max_length=50)
    country: str | None = Field(None, max_length=50)
    email: str | None = Field(None, max_length=255)
    mobile_phone: str | None = Field(None, max_length=50)
    telephone_and_fax: str | None = Field(None, max_length=255)
    cvr: str | None = Field(None, max_length=40)
    ean: str | None = Field(None, max_length=40)
    website: str | None = Field(None, max_length=255)
    currency: str | None = Field(None, min_length=3, max_length=3)
    customer_group: int | None = Field(None, ge=1, le=MAX_NUMBER)
    payment_terms: int | None = Field(None, ge=1, le=MAX_NUMBER)
    vat_zone: int | None = Field(None, ge=1, le=MAX_NUMBER)
    credit_limit: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    default_service: Service | None = None
    tags: list[str] | None = Field(None, max_length=50)
    notes: str | None = Field(None, max_length=10000)
    pickup_addresses: list[PickupAddress] | None = Field(None, max_length=50)
    contact_persons: list[ContactPerson] | None = Field(None, max_length=50)
    custom_fields: dict[str, str | int | float | bool | date | None] | None = None

    @field_validator("tags")
    @classmethod
    def tags_fit(cls, value: list[str] | None) -> list[str] | None:
        limit = Customer._meta.get_field("tags").max_length or 500
        if value is not None and len(actions.normalise_tags(value)) > limit:
            raise ValueError(f"tags must fit in {limit - 2} characters together")
        return value

    @field_validator("currency")
    @classmethod
    def known_currency(cls, value: str | None) -> str | None:
        if value is not None and value.upper() not in CURRENCIES:
            raise ValueError(f"currency must be one of {', '.join(sorted(CURRENCIES))}")
        return value.upper() if value else value

    @field_validator("email")
    @classmethod
    def email_addresses(cls, value: str | None) -> str | None:
        if value and any("@" not in part for part in value.split()):
            raise ValueError("email must be addresses separated by spaces")
        return value

    def changes(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True)
        for name in ("pickup_addresses", "contact_persons"):
            if data.get(name) is None:
                data.pop(name, None)
        if "custom_fields" in data:
            data["custom_fields"] = {
                k: v.isoformat() if isinstance(v, date) else v
                for k, v in (data["custom_fields"] or {}).items()
            }
        if data.get("default_service") is not None:
            data["default_service"] = str(data["default_service"])
        # These columns cannot be empty: an explicit null leaves them as they are.
        return {k: v for k, v in data.items() if not (v is None and k in NOT_NULLABLE)}


class CustomerOut(Schema):
    id: int
    customer_number: int | None
    name: str
    address: str | None
    zip: str | None
    city: str | None
    country: str | None
    email: str | None
    mobile_phone: str | None
    telephone_and_fax: str | None
    cvr: str | None
    ean: str | None
    website: str | None
    currency: str
    customer_group: int
    payment_terms: int
    vat_zone: int
    barred: bool
    credit_limit: Decimal | None
    default_service: str
    tags: list[str]
    notes: str | None
    pickup_addresses: list[dict[str, Any]]
    contact_persons: list[dict[str, Any]]
    custom_fields: dict[str, Any]
    archived: bool
    sync_state: Literal["local", "in_sync", "pending", "conflict", "error"]

    @staticmethod
    def of(customer: Customer) -> CustomerOut:
        return CustomerOut(
            id=customer.pk,
            customer_number=customer.customer_number,
            name=customer.name,
            address=customer.address,
            zip=customer.zip,
            city=customer.city,
            country=customer.country,
            email=customer.email,
            mobile_phone=customer.mobile_phone,
            telephone_and_fax=customer.telephone_and_fax,
            cvr=customer.cvr,
            ean=customer.ean,
            website=customer.website,
            currency=customer.currency,
            customer_group=customer.customer_group,
            payment_terms=customer.payment_terms,
            vat_zone=customer.vat_zone,
            barred=customer.barred,
            credit_limit=customer.credit_limit,
            default_service=customer.default_service,
            tags=customer.tag_list,
            notes=customer.notes,
            pickup_addresses=list(customer.pickup_addresses or []),
            contact_persons=list(customer.contact_persons or []),
            custom_fields=dict(customer.custom_fields or {}),
            archived=customer.is_archived,
            sync_state=customer.sync_state,  # type: ignore[arg-type]
        )


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


def _tenant(request: HttpRequest) -> Tenant:
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
    return api_key.tenant


def _cursor(value: str | None) -> int:
    if not value:
        return 0
    try:
        return int(base64.urlsafe_b64decode(value.encode() + b"==").decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise HttpError(400, "The cursor is not one this API gave out.") from None


def _encode(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    return get_for_tenant_or_404(Customer, _tenant(request), pk=customer_id)


@router.get("", response=CustomerPage, summary="List customers, newest id last")
@require_scope("customers:read")
def list_customers(  # noqa: PLR0917 - django-ninja reads query parameters from here
    request: HttpRequest,
    q: str = "",
    state: str = "",
    tag: str = "",
    archived: Literal["", "yes", "all"] = "",
    cursor: str | None = None,
    limit: int = 50,
) -> CustomerPage:
    """Cursor pagination: pass `next_cursor` back as `cursor` until it is null."""
    if not 1 <= limit <= MAX_LIMIT:
        raise HttpError(400, f"limit must be 1 to {MAX_LIMIT}.")
    found = selectors.filtered(_tenant(request), q=q, state=state, tag=tag, archived=archived)
    rows = list(found.filter(pk__gt=_cursor(cursor)).order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return CustomerPage(
        items=[CustomerOut.of(c) for c in rows],
        next_cursor=_encode(rows[-1].pk) if more and rows else None,
    )


@router.get("/{customer_id}", response=CustomerOut, summary="One customer")
@require_scope("customers:read")
def get_customer(request: HttpRequest, customer_id: int) -> CustomerOut:
    return CustomerOut.of(_customer(request, customer_id))


@router.post("", response={201: CustomerOut}, summary="Create a customer")
@require_scope("customers:write")
def create_customer(request: HttpRequest, payload: CustomerIn) -> Status[CustomerOut]:
    changes = payload.changes()
    if not changes.get("name"):
        raise HttpError(422, "name is required.")
    customer = actions.create_customer(tenant=_tenant(request), **changes)
    return Status(201, CustomerOut.of(customer))


@router.patch("/{customer_id}", response=CustomerOut, summary="Change some fields")
@require_scope("customers:write")
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerIn) -> CustomerOut:
    customer = _customer(request, customer_id)
    changes = payload.changes()
    if changes:
        actions.update_customer(customer, **changes)
    return CustomerOut.of(customer)


@router.post("/{customer_id}/archive", response=CustomerOut, summary="Archive (bars in e-conomic)")
@require_scope("customers:write")
def archive_customer(request: HttpRequest, customer_id: int) -> CustomerOut:
    customer = _customer(request, customer_id)
    actions.archive_customer(customer)
    return CustomerOut.of(customer)
