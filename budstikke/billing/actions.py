"""The billing run: one e-conomic draft invoice per customer (and currency) for its
delivered, not yet invoiced shipments.

In one transaction per run the shipments are locked, each gets an InvoiceLine (unique per
shipment) and `invoiced_at`, and the Invoice outbox row holding the exact draft is written.
The worker posts the drafts afterwards (outbox.py). Running again finds nothing new.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _

from budstikke.billing.models import BillingRun, BillingSettings, Invoice, InvoiceLine
from budstikke.core import clock
from budstikke.customers.models import Customer
from budstikke.shipments.machine import Status
from budstikke.shipments.models import Shipment

if TYPE_CHECKING:
    from budstikke.accounts.models import User
    from budstikke.tenants.models import Tenant

CENT = Decimal("0.01")
MAX_LINES = 1000  # per draft invoice; a bigger month becomes several drafts


class BillingNotReadyError(ValueError):
    """Something the admin must set first (message for people)."""


def settings_for(tenant: Tenant) -> BillingSettings:
    found: BillingSettings | None = BillingSettings.objects.for_tenant(tenant).first()
    return found or BillingSettings(tenant=tenant)


def save_settings(
    tenant: Tenant, *, product_number: str, layout_number: int, monthly: bool
) -> BillingSettings:
    with transaction.atomic():
        current: BillingSettings
        current, _created = BillingSettings.objects.for_tenant(tenant).get_or_create(tenant=tenant)
        current.product_number = product_number.strip()[:25]
        current.layout_number = layout_number
        current.monthly = monthly
        current.save()
    return current


def _zone(tenant: Tenant) -> ZoneInfo:
    return ZoneInfo(tenant.timezone or "Europe/Copenhagen")


def _line(shipment: Shipment, product: str, zone: ZoneInfo) -> dict[str, Any]:
    delivered = shipment.delivered_at.astimezone(zone).date() if shipment.delivered_at else None
    parts = [shipment.tracking_number]
    if delivered is not None:
        parts.append(formats.date_format(delivered, "SHORT_DATE_FORMAT"))
    if shipment.reference:
        parts.append(shipment.reference)
    return {
        "product": {"productNumber": product},
        "description": " · ".join(parts)[:2500],
        "quantity": 1,
        "unitNetPrice": float(shipment.price.quantize(CENT, rounding=ROUND_HALF_UP)),
    }


def draft_body(
    tenant: Tenant,
    customer: Customer,
    shipments: list[Shipment],
    *,
    options: BillingSettings,
    reference: str,
    currency: str,
    cutoff: datetime,
) -> dict[str, Any]:
    """The `POST /invoices/drafts` body, in the tenant's language and time zone."""
    zone = _zone(tenant)
    with translation.override(tenant.language or "da"):
        until = formats.date_format(cutoff.astimezone(zone).date(), "SHORT_DATE_FORMAT")
        heading = _("Deliveries before %(date)s") % {"date": until}
        lines = [_line(s, options.product_number, zone) for s in shipments]
    return {
        "date": clock.now().astimezone(zone).date().isoformat(),
        "currency": currency,
        "customer": {"customerNumber": customer.customer_number},
        "paymentTerms": {"paymentTermsNumber": customer.payment_terms},
        "layout": {"layoutNumber": options.layout_number},
        "recipient": {"name": customer.name, "vatZone": {"vatZoneNumber": customer.vat_zone}},
        "references": {"other": reference},
        "notes": {"heading": heading[:250]},
        "lines": lines,
    }


def _schedule(ids: list[int]) -> None:
    from budstikke.billing.tasks import deliver_invoice

    for pk in ids:
        deliver_invoice(pk)


def run_billing(
    tenant: Tenant,
    *,
    cutoff: datetime | None = None,
    by: User | None = None,
    trigger: str = BillingRun.Trigger.MANUAL,
) -> BillingRun:
    """Bill every delivered, not yet invoiced shipment delivered before `cutoff` (now)."""
    cutoff = cutoff or clock.now()
    with transaction.atomic():
        # The settings row is the tenant's billing lock: one run at a time.
        options = BillingSettings.objects.for_tenant(tenant).select_for_update().filter().first()
        if options is None or not options.product_number:
            raise BillingNotReadyError(
                _("Set the e-conomic product number for shipments before billing.")
            )
        run: BillingRun = BillingRun.objects.create(
            tenant=tenant, cutoff=cutoff, trigger=trigger, created_by=by
        )
        due = list(
            Shipment.objects.for_tenant(tenant)
            .select_for_update()
            .filter(status=Status.DELIVERED, invoiced_at__isnull=True, delivered_at__lt=cutoff)
            .order_by("customer_id", "delivered_at", "pk")
        )
        groups: dict[tuple[int, str], list[Shipment]] = defaultdict(list)
        for shipment in due:
            groups[(shipment.customer_id, shipment.price_currency)].append(shipment)
        customers = {
            c.pk: c
            for c in Customer.objects.for_tenant(tenant).filter(pk__in={key[0] for key in groups})
        }
        now = clock.now()
        invoice_ids: list[int] = []
        skipped: set[int] = set()
        billed = 0
        for (customer_id, currency), shipments in groups.items():
            customer = customers[customer_id]
            if customer.customer_number is None:
                skipped.add(customer_id)
                continue
            for start in range(0, len(shipments), MAX_LINES):
                chunk = shipments[start : start + MAX_LINES]
                invoice = _invoice(
                    run, customer, chunk, options=options, currency=currency, now=now
                )
                invoice_ids.append(invoice.pk)
                billed += len(chunk)
        run.invoice_count = len(invoice_ids)
        run.shipment_count = billed
        run.skipped_customers = sorted(skipped)
        run.save(update_fields=["invoice_count", "shipment_count", "skipped_customers"])
        if invoice_ids:
            transaction.on_commit(lambda: _schedule(invoice_ids))
    return run


def _invoice(
    run: BillingRun,
    customer: Customer,
    shipments: list[Shipment],
    *,
    options: BillingSettings,
    currency: str,
    now: datetime,
) -> Invoice:
    tenant = run.tenant
    cutoff = run.cutoff
    reference = f"budstikke-{uuid.uuid4().hex[:20]}"
    invoice: Invoice = Invoice.objects.create(
        tenant=tenant,
        run=run,
        customer=customer,
        reference=reference,
        body=draft_body(
            tenant,
            customer,
            shipments,
            options=options,
            reference=reference,
            currency=currency,
            cutoff=cutoff,
        ),
        currency=currency,
        total=sum((s.price for s in shipments), Decimal("0")).quantize(CENT),
        shipment_count=len(shipments),
        next_attempt_at=now,
        created_at=now,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(tenant=tenant, invoice=invoice, shipment=s, amount=s.price) for s in shipments
    )
    marked = (
        Shipment.objects.for_tenant(tenant)
        .filter(pk__in=[s.pk for s in shipments], invoiced_at__isnull=True)
        .update(invoiced_at=now)
    )
    if marked != len(shipments):
        raise RuntimeError("shipments were invoiced by another run meanwhile")
    return invoice


def retry_invoice(invoice: Invoice) -> None:
    """Send a failed draft again (after the admin fixed what e-conomic rejected). The body
    is rebuilt with the current settings; its reference stays, so it is found if it got
    through after all."""
    with transaction.atomic():
        locked = Invoice.objects.for_tenant(invoice.tenant).select_for_update().get(pk=invoice.pk)
        if locked.status != Invoice.Status.FAILED:
            return
        options = settings_for(invoice.tenant)
        body = dict(locked.body)
        body["layout"] = {"layoutNumber": options.layout_number}
        body["lines"] = [
            {**line, "product": {"productNumber": options.product_number}}
            for line in body.get("lines", [])
        ]
        customer = locked.customer
        body["paymentTerms"] = {"paymentTermsNumber": customer.payment_terms}
        body["recipient"] = {
            "name": customer.name,
            "vatZone": {"vatZoneNumber": customer.vat_zone},
        }
        if customer.customer_number is not None:
            body["customer"] = {"customerNumber": customer.customer_number}
        locked.body = body
        locked.status = Invoice.Status.PENDING
        locked.uncertain = True  # look for it before posting again
        locked.next_attempt_at = clock.now()
        locked.last_error = ""
        locked.save()
        pk = locked.pk
        transaction.on_commit(lambda: _schedule([pk]))
