"""Every write to shipments: create (with frozen price), status transitions, cancel.

`transition()` is the one door to a status change: it checks the machine, locks the row,
appends a TrackingEvent and queues the recipient's SMS in the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from budstikke.core import clock
from budstikke.shipments import machine, numbers, pricing
from budstikke.shipments.machine import Status
from budstikke.shipments.models import (
    FailureReason,
    Parcel,
    PriceRule,
    PriceSurcharge,
    PriceZone,
    Shipment,
    Source,
    TrackingEvent,
)

if TYPE_CHECKING:
    from budstikke.accounts.models import User
    from budstikke.customers.models import Customer
    from budstikke.tenants.models import Tenant

log = logging.getLogger(__name__)

# Statuses that text the recipient (budstikke.notify decides whether the tenant wants it).
NOTIFY_STATUSES: frozenset[str] = frozenset(
    {Status.OUT_FOR_DELIVERY, Status.DELIVERED, Status.FAILED_ATTEMPT}
)


@dataclass
class ParcelDraft:
    weight_kg: Decimal = Decimal("0")
    length_cm: int | None = None
    width_cm: int | None = None
    height_cm: int | None = None


@dataclass
class ShipmentDraft:
    """A validated shipment, before it has a number or a price (see intake.py)."""

    customer: Customer
    recipient_name: str
    delivery_address: str
    delivery_postcode: str
    delivery_city: str
    pickup_name: str
    pickup_address: str
    pickup_postcode: str
    pickup_city: str
    delivery_country: str = "DK"
    pickup_country: str = "DK"
    pickup_phone: str | None = None
    recipient_phone: str | None = None
    recipient_email: str | None = None
    recipient_language: str = "da"
    service: str = "standard"
    reference: str = ""
    order_reference: str = ""
    notes: str | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    cod_amount: Decimal | None = None
    cod_currency: str = ""
    parcels: list[ParcelDraft] = field(default_factory=lambda: [ParcelDraft()])


@dataclass(frozen=True)
class Actor:
    """Who changed something: a user, or a label such as "api:bsk_ab12", "csv", "system"."""

    user: User | None = None
    label: str = ""

    @classmethod
    def of(cls, actor: User | Actor | str | None) -> Actor:
        if isinstance(actor, Actor):
            return actor
        if actor is None:
            return cls(label="system")
        if isinstance(actor, str):
            return cls(label=actor[:60])
        return cls(user=actor)


def _build(
    tenant: Tenant, draft: ShipmentDraft, *, source: str, actor: Actor, book: pricing.PriceBook
) -> Shipment:
    weight = sum((p.weight_kg for p in draft.parcels), Decimal("0"))
    quote = pricing.quote(
        book,
        postcode=draft.delivery_postcode,
        service=draft.service,
        weight_kg=weight,
        parcel_count=len(draft.parcels),
        cod_amount=draft.cod_amount,
        has_window=draft.window_start is not None or draft.window_end is not None,
    )
    now = clock.now()
    return Shipment(
        tenant=tenant,
        tracking_number=numbers.new_tracking_number(tenant),
        customer=draft.customer,
        service=draft.service,
        status=Status.CREATED,
        status_changed_at=now,
        source=source,
        pickup_name=draft.pickup_name,
        pickup_address=draft.pickup_address,
        pickup_postcode=draft.pickup_postcode,
        pickup_city=draft.pickup_city,
        pickup_country=draft.pickup_country,
        pickup_phone=draft.pickup_phone,
        recipient_name=draft.recipient_name,
        recipient_phone=draft.recipient_phone,
        recipient_email=draft.recipient_email,
        recipient_language=draft.recipient_language,
        delivery_address=draft.delivery_address,
        delivery_postcode=draft.delivery_postcode,
        delivery_city=draft.delivery_city,
        delivery_country=draft.delivery_country,
        zone=quote.zone.name if quote.zone else "",
        reference=draft.reference,
        order_reference=draft.order_reference,
        notes=draft.notes,
        window_start=draft.window_start,
        window_end=draft.window_end,
        weight_kg=weight,
        parcel_count=len(draft.parcels),
        cod_amount=draft.cod_amount,
        cod_currency=(draft.cod_currency or quote.currency) if draft.cod_amount else "",
        price=quote.total,
        price_currency=quote.currency,
        price_lines=quote.lines,
        created_at=now,
        created_by=actor.user,
    )


def _parcels(shipment: Shipment, draft: ShipmentDraft) -> list[Parcel]:
    return [
        Parcel(
            tenant_id=shipment.tenant_id,
            shipment=shipment,
            sequence=index,
            barcode=numbers.parcel_barcode(shipment.tracking_number, index),
            weight_kg=p.weight_kg,
            length_cm=p.length_cm,
            width_cm=p.width_cm,
            height_cm=p.height_cm,
        )
        for index, p in enumerate(draft.parcels, start=1)
    ]


def _first_event(shipment: Shipment, actor: Actor) -> TrackingEvent:
    return TrackingEvent(
        tenant_id=shipment.tenant_id,
        shipment=shipment,
        at=shipment.created_at,
        from_status="",
        status=Status.CREATED,
        actor=actor.user,
        actor_label=actor.label,
    )


def create_shipment(
    tenant: Tenant,
    draft: ShipmentDraft,
    *,
    source: str = Source.WEB,
    actor: User | Actor | str | None = None,
    book: pricing.PriceBook | None = None,
) -> Shipment:
    """Create one shipment with its parcels, its price frozen and a first "created" event."""
    who = Actor.of(actor)
    book = book or pricing.PriceBook.load(tenant)
    for _attempt in range(5):
        shipment = _build(tenant, draft, source=source, actor=who, book=book)
        try:
            with transaction.atomic():
                shipment.save()
                Parcel.objects.bulk_create(_parcels(shipment, draft))
                _first_event(shipment, who).save()
                _webhooks().shipment_created(shipment)
        except IntegrityError:
            # A tracking number collision (1 in 10^12): draw again.
            if (
                Shipment.objects.dangerously_unscoped()
                .filter(tracking_number=shipment.tracking_number)
                .exists()
            ):
                continue
            raise
        return shipment
    raise RuntimeError("could not draw a free tracking number")


def create_many(
    tenant: Tenant,
    drafts: list[ShipmentDraft],
    *,
    source: str,
    actor: User | Actor | str | None = None,
) -> list[Shipment]:
    """All or nothing: one transaction for the whole batch (the CSV import)."""
    who = Actor.of(actor)
    book = pricing.PriceBook.load(tenant)
    with transaction.atomic():
        return [create_shipment(tenant, d, source=source, actor=who, book=book) for d in drafts]


def transition(
    shipment: Shipment,
    to_status: str,
    *,
    actor: User | Actor | str | None,
    note: str | None = None,
    position: dict[str, Any] | None = None,
    reason: str = "",
    at: datetime | None = None,
    notify: bool = True,
) -> TrackingEvent:
    """Move `shipment` to `to_status`, or raise `machine.InvalidTransitionError` (message for
    people). Locks the row so two couriers' taps cannot both apply; appends one event.
    `notify=False` only for generated data (the demo): no SMS is queued."""
    who = Actor.of(actor)
    if reason and reason not in FailureReason.values:
        raise ValueError(f"unknown failure reason {reason!r}")
    with transaction.atomic():
        locked = (
            Shipment.objects.for_tenant(shipment.tenant).select_for_update().get(pk=shipment.pk)
        )
        machine.check(locked.status, to_status)
        now = at or clock.now()
        event = TrackingEvent(
            tenant_id=locked.tenant_id,
            shipment=locked,
            at=now,
            from_status=locked.status,
            status=to_status,
            actor=who.user,
            actor_label=who.label,
            reason=reason,
            note=note or None,
            position=position,
        )
        event.save()
        locked.status = to_status
        locked.status_changed_at = now
        fields = ["status", "status_changed_at"]
        if to_status == Status.DELIVERED:
            locked.delivered_at = now
            fields.append("delivered_at")
        locked.save(update_fields=fields)
        _webhooks().status_changed(locked, event)
        if notify and to_status in NOTIFY_STATUSES:
            notify_recipient(locked, to_status)
    shipment.status = locked.status
    shipment.status_changed_at = locked.status_changed_at
    shipment.delivered_at = locked.delivered_at
    return event


def _webhooks() -> Any:
    """The web hook outbox (budstikke.webhooks.events), written in the caller's transaction."""
    from budstikke.webhooks import events

    return events


def cancel(
    shipment: Shipment, *, actor: User | Actor | str | None, note: str | None = None
) -> TrackingEvent:
    return transition(shipment, Status.CANCELLED, actor=actor, note=note)


def notify_recipient(shipment: Shipment, status: str) -> None:
    """The single call site to the SMS app: queues a text in the caller's transaction."""
    if not shipment.recipient_phone:
        return
    from django.conf import settings

    from budstikke.notify import actions as notify_actions
    from budstikke.shipments import selectors

    window = selectors.time_window_text(shipment, shipment.recipient_language)
    notify_actions.queue_shipment_notification(
        tenant=shipment.tenant,
        event=status,
        phone=shipment.recipient_phone,
        language=shipment.recipient_language,
        context={
            "company": shipment.tenant.name,
            "tracking_link": f"{settings.PUBLIC_URL}/t/{shipment.tracking_number}",
            "time_window": window,
        },
    )


def save_price_data(tenant: Tenant, item: PriceZone | PriceRule | PriceSurcharge) -> None:
    """Save a zone, rule or surcharge of `tenant`; IntegrityError on a duplicate zone name."""
    item.tenant = tenant
    with transaction.atomic():
        item.save()


def delete_price_data(item: PriceZone | PriceRule | PriceSurcharge) -> None:
    """Existing shipments keep their frozen prices; only new ones see the change."""
    with transaction.atomic():
        item.delete()


CSV_IMPORT_HOURS = 24


def delete_stale_csv_imports() -> int:
    """Delete uploads older than a day; committed ones keep only their counts."""
    from datetime import timedelta

    from budstikke.shipments.models import CsvImport

    cutoff = clock.now() - timedelta(hours=CSV_IMPORT_HOURS)
    stale = CsvImport.objects.dangerously_unscoped().filter(created_at__lt=cutoff)
    deleted, _by_model = stale.delete()
    return deleted
