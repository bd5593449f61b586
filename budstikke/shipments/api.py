"""`/api/v1/shipments`: create (idempotent), list (cursor), get, cancel, events, label.

Shipments are addressed by tracking number; another tenant's number is a 404 like a number
that does not exist. Errors are JSON with a `code`, like the rest of the API.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from budstikke.api.auth import require_scope
from budstikke.api.models import ApiKey
from budstikke.customers.models import Customer
from budstikke.shipments import actions, intake, labels, machine, numbers, selectors
from budstikke.shipments.models import IdempotencyKey, Shipment, Source
from budstikke.tenants.access import tenant_object_or_404

router = Router(tags=["shipments"])

MAX_PAGE = 200


class ErrorOut(Schema):
    code: str
    message: str
    errors: dict[str, list[str]] | None = None
    status: str | None = None


class ParcelIn(Schema):
    weight_kg: Decimal | None = Field(None, ge=0)
    length_cm: int | None = Field(None, ge=1, le=1000)
    width_cm: int | None = Field(None, ge=1, le=1000)
    height_cm: int | None = Field(None, ge=1, le=1000)


class ShipmentIn(Schema):
    customer_number: int
    service: str | None = None
    recipient_name: str
    recipient_phone: str | None = None
    recipient_email: str | None = None
    recipient_language: str | None = None
    delivery_address: str
    delivery_postcode: str
    delivery_city: str
    delivery_country: str | None = None
    pickup_index: int | None = Field(None, description="1-based index of a saved pickup address")
    pickup_name: str | None = None
    pickup_address: str | None = None
    pickup_postcode: str | None = None
    pickup_city: str | None = None
    pickup_country: str | None = None
    pickup_phone: str | None = None
    reference: str | None = None
    order_reference: str | None = None
    notes: str | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    cod_amount: Decimal | None = None
    cod_currency: str | None = None
    parcels: list[ParcelIn] = Field(
        default_factory=lambda: [
            ParcelIn(weight_kg=None, length_cm=None, width_cm=None, height_cm=None)
        ]
    )


class ParcelOut(Schema):
    sequence: int
    barcode: str
    weight_kg: Decimal
    length_cm: int | None
    width_cm: int | None
    height_cm: int | None


class Address(Schema):
    name: str
    address: str
    postcode: str
    city: str
    country: str
    phone: str | None


class PriceLine(Schema):
    label: str
    amount: Decimal


class ShipmentOut(Schema):
    tracking_number: str
    status: str
    customer_number: int | None
    service: str
    pickup: Address
    recipient: Address
    recipient_email: str | None
    reference: str
    order_reference: str
    notes: str | None
    window_start: datetime | None
    window_end: datetime | None
    weight_kg: Decimal
    parcels: list[ParcelOut]
    cod_amount: Decimal | None
    cod_currency: str
    price: Decimal
    price_currency: str
    price_lines: list[PriceLine]
    created_at: datetime
    delivered_at: datetime | None
    tracking_url: str


class ShipmentPage(Schema):
    items: list[ShipmentOut]
    next_cursor: str | None


class EventOut(Schema):
    at: datetime
    status: str
    from_status: str
    reason: str


def _out(shipment: Shipment) -> ShipmentOut:
    customer: Customer = shipment.customer
    return ShipmentOut(
        tracking_number=shipment.tracking_number,
        status=shipment.status,
        customer_number=customer.customer_number,
        service=shipment.service,
        pickup=Address(
            name=shipment.pickup_name or "",
            address=shipment.pickup_address or "",
            postcode=shipment.pickup_postcode or "",
            city=shipment.pickup_city or "",
            country=shipment.pickup_country,
            phone=shipment.pickup_phone,
        ),
        recipient=Address(
            name=shipment.recipient_name or "",
            address=shipment.delivery_address or "",
            postcode=shipment.delivery_postcode or "",
            city=shipment.delivery_city or "",
            country=shipment.delivery_country,
            phone=shipment.recipient_phone,
        ),
        recipient_email=shipment.recipient_email,
        reference=shipment.reference,
        order_reference=shipment.order_reference,
        notes=shipment.notes,
        window_start=shipment.window_start,
        window_end=shipment.window_end,
        weight_kg=shipment.weight_kg,
        parcels=[
            ParcelOut(
                sequence=p.sequence,
                barcode=p.barcode,
                weight_kg=p.weight_kg,
                length_cm=p.length_cm,
                width_cm=p.width_cm,
                height_cm=p.height_cm,
            )
            for p in shipment.parcels.all()
        ],
        cod_amount=shipment.cod_amount,
        cod_currency=shipment.cod_currency,
        price=shipment.price,
        price_currency=shipment.price_currency,
        price_lines=[PriceLine(**line) for line in shipment.price_lines],
        created_at=shipment.created_at,
        delivered_at=shipment.delivered_at,
        tracking_url=labels.tracking_url(shipment),
    )


def _key(request: HttpRequest) -> ApiKey:
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
    return api_key


def _shipment(request: HttpRequest, tracking: str) -> Shipment:
    tenant = _key(request).tenant
    return tenant_object_or_404(
        request, tenant, Shipment, tracking_number=numbers.normalise(tracking)[:40]
    )


def _fail(http_status: int, code: str, message: str, **extra: Any) -> Status[dict[str, Any]]:
    return Status(http_status, {"code": code, "message": message, **extra})


@router.post(
    "",
    response={201: ShipmentOut, 200: ShipmentOut, 409: ErrorOut, 422: ErrorOut},
    summary="Create a shipment",
    description=(
        "Send an `Idempotency-Key` header (up to 255 characters) to make retries safe: the "
        "same key with the same body returns the shipment created the first time (200); "
        "the same key with another body is refused with 409 `idempotency_conflict`."
    ),
)
@require_scope("shipments:write")
def create(request: HttpRequest, payload: ShipmentIn) -> Any:
    api_key = _key(request)
    tenant = api_key.tenant
    body = payload.model_dump(mode="json")
    idem = request.headers.get("Idempotency-Key", "").strip()
    if len(idem) > 255:
        return _fail(422, "validation_error", "Idempotency-Key is longer than 255 characters.")
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    if idem:
        replay = _replay(api_key, idem, digest)
        if replay is not None:
            return replay

    customer = (
        Customer.objects.for_tenant(tenant).filter(customer_number=payload.customer_number).first()
    )
    values = {k: v for k, v in body.items() if v is not None}
    values["parcels"] = [
        {k: v for k, v in p.items() if v is not None} for p in body.get("parcels", [])
    ]
    try:
        draft = intake.parse(tenant, values, customer=customer)
    except intake.IntakeError as error:
        errors = dict(error.errors)
        if "customer" in errors:
            errors["customer_number"] = errors.pop("customer")
        if customer is None:
            errors["customer_number"] = ["No customer has this number."]
        return _fail(422, "validation_error", "The shipment is invalid.", errors=errors)

    actor = actions.Actor(label=f"api:{api_key.prefix}")
    try:
        with transaction.atomic():
            shipment = actions.create_shipment(tenant, draft, source=Source.API, actor=actor)
            if idem:
                IdempotencyKey.objects.create(
                    tenant=tenant, api_key=api_key, key=idem, request_hash=digest, shipment=shipment
                )
    except IntegrityError:
        # Another request with the same key committed first.
        replay = _replay(api_key, idem, digest) if idem else None
        if replay is None:
            raise
        return replay
    return Status(201, _out(shipment))


def _replay(api_key: ApiKey, key: str, digest: str) -> Any:
    used = (
        IdempotencyKey.objects.for_tenant(api_key.tenant)
        .filter(api_key=api_key, key=key)
        .select_related("shipment", "shipment__customer", "shipment__tenant")
        .first()
    )
    if used is None:
        return None
    if used.request_hash != digest:
        return _fail(
            409,
            "idempotency_conflict",
            "This Idempotency-Key was used with a different request body.",
        )
    return Status(200, _out(used.shipment))


def _cursor(shipment: Shipment) -> str:
    raw = f"{shipment.created_at.isoformat()}|{shipment.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _parse_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = raw.split("|")
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None:
            raise ValueError
        return parsed, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise HttpError(422, "The cursor is not one this API gave out.") from None


class ListFilters(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    status: str | None = None
    reference: str | None = None


@router.get(
    "",
    response={200: ShipmentPage, 422: ErrorOut},
    summary="List shipments, newest first",
    description="Pass `next_cursor` from one page as `cursor` to get the next.",
)
@require_scope("shipments:read")
def list_shipments(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    query = Shipment.objects.for_tenant(_key(request).tenant)
    if filters.status:
        if filters.status not in machine.Status.values:
            return _fail(422, "validation_error", f"Unknown status '{filters.status[:40]}'.")
        query = query.filter(status=filters.status)
    if filters.reference:
        query = query.filter(reference=filters.reference)
    if filters.cursor:
        moment, pk = _parse_cursor(filters.cursor)
        from django.db.models import Q

        query = query.filter(Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=pk))
    rows = list(
        query.select_related("customer", "tenant")
        .prefetch_related("parcels")
        .order_by("-created_at", "-pk")[: filters.limit + 1]
    )
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return ShipmentPage(
        items=[_out(s) for s in rows], next_cursor=_cursor(rows[-1]) if more and rows else None
    )


@router.get("/{tracking}", response={200: ShipmentOut}, summary="One shipment")
@require_scope("shipments:read")
def get_shipment(request: HttpRequest, tracking: str) -> Any:
    return _out(_shipment(request, tracking))


@router.post(
    "/{tracking}/cancel",
    response={200: ShipmentOut, 409: ErrorOut},
    summary="Cancel a shipment that is not yet picked up",
)
@require_scope("shipments:write")
def cancel(request: HttpRequest, tracking: str) -> Any:
    shipment = _shipment(request, tracking)
    try:
        actions.cancel(shipment, actor=actions.Actor(label=f"api:{_key(request).prefix}"))
    except machine.InvalidTransitionError as refused:
        return _fail(409, "invalid_transition", str(refused), status=shipment.status)
    return Status(200, _out(shipment))


@router.get("/{tracking}/events", response=list[EventOut], summary="The tracking history")
@require_scope("shipments:read")
def events(request: HttpRequest, tracking: str) -> Any:
    return [
        EventOut(at=e.at, status=e.status, from_status=e.from_status, reason=e.reason)
        for e in selectors.timeline(_shipment(request, tracking))
    ]


@router.get(
    "/{tracking}/label",
    response={200: None, 422: ErrorOut},
    summary="Shipping label: PDF (A6 or four on A4) or ZPL",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The label",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "application/x-zpl": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
@require_scope("shipments:read")
def label(request: HttpRequest, tracking: str, format: str = "pdf", size: str = "a6") -> Any:
    shipment = _shipment(request, tracking)
    if format not in labels.FORMATS or size not in labels.SIZES:
        return _fail(422, "validation_error", "format must be pdf or zpl; size must be a6 or a4.")
    if format == "zpl":
        response = HttpResponse(labels.zpl([shipment]), content_type="application/x-zpl")
    else:
        response = HttpResponse(labels.pdf([shipment], size=size), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{shipment.tracking_number}.{format}"'
    return response
