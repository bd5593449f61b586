"""Erasure of one person (GDPR Art. 17), keeping what a legal hold requires.

Rows are anonymised, not deleted: a shipment stays as a delivery that happened (counts,
prices, invoices and the 8-year package record stay whole) but loses every field about the
person. Encrypted fields get a neutral value (empty, NULL, or an empty list), the blind
indexes over them are cleared and a customer's name tokens removed.

Legal holds:
- a shipment invoiced within the bookkeeping period (Danish Bookkeeping Act: 5 years from
  the end of the financial year, taken as the calendar year in the tenant's zone) keeps its
  financial fields — tracking number, price, price lines, reference and order reference
  (they are on the invoice line), dates and the invoice line — and loses the personal ones;
  outside the period its references are erased too;
- a customer with such shipments keeps what its invoices show (name, address, postcode,
  city, country, CVR, EAN) and loses contact details, notes and other fields;
- an SMS opt-out is kept: it is the person's own objection (Art. 21), and erasing it would
  let the number be texted again. It holds the number only.

Every change is written to the erasure journal (dsr_journal.py) so a restored backup is
erased again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from budstikke.core import clock
from budstikke.dispatch.models import StopUpdate
from budstikke.economic.models import Conflict, CustomerLink
from budstikke.notify.models import SmsMessage
from budstikke.privacy import dsr_journal
from budstikke.privacy.dsr_search import Findings
from budstikke.shipments.models import Shipment, TrackingEvent
from budstikke.tenants.models import Tenant

BOOKKEEPING_YEARS = 5

RECIPIENT_FIELDS = [
    "recipient_name",
    "recipient_phone",
    "recipient_email",
    "delivery_address",
    "delivery_postcode",
    "delivery_city",
    "notes",
]
REFERENCE_FIELDS = ["reference", "order_reference"]
PICKUP_FIELDS = ["pickup_name", "pickup_address", "pickup_postcode", "pickup_city", "pickup_phone"]
INVOICE_IDENTITY = ["name", "address", "zip", "city", "country", "cvr", "ean"]
CUSTOMER_OTHER = [
    "email",
    "mobile_phone",
    "telephone_and_fax",
    "website",
    "notes",
    "custom_fields",
    "pickup_addresses",
]
EVENT_FIELDS = ["note", "position"]
PROOF_FIELDS = ["recipient_name", "signature", "photo", "position"]

HELD_SHIPMENTS = _(
    "Invoiced within the bookkeeping period (Danish Bookkeeping Act: 5 years from the end "
    "of the financial year): tracking number, price, invoice line, references and dates "
    "are kept; the recipient's name, contact details, address and notes are erased."
)
HELD_CUSTOMERS = _(
    "Customer with invoices within the bookkeeping period: name, address, CVR and EAN are "
    "kept as they stand on the invoices (Danish Bookkeeping Act); contact details, notes "
    "and other fields are erased."
)
KEPT_OPT_OUTS = _(
    "SMS opt-outs are kept so the number is never texted again (the person's objection, "
    "GDPR Art. 21). They hold the phone number only."
)
KEPT_ECONOMIC = _(
    "e-conomic keeps its own copy of linked customers: erase the person there as well."
)
KEPT_LOG = _(
    "The request log keeps what you searched for, encrypted, as proof that the request was "
    "handled (GDPR Art. 5(2))."
)


def bookkeeping_start(tenant: Tenant, now: datetime | None = None) -> datetime:
    """Invoices from this moment on are still within the bookkeeping period."""
    zone = ZoneInfo(tenant.timezone or "Europe/Copenhagen")
    local = (now or clock.now()).astimezone(zone)
    return datetime(local.year - BOOKKEEPING_YEARS, 1, 1, tzinfo=zone)


def is_held(shipment: Shipment, start: datetime) -> bool:
    return shipment.invoiced_at is not None and shipment.invoiced_at >= start


@dataclass
class Change:
    kind: str
    row: models.Model
    fields: list[str]


@dataclass
class Kept:
    kind: str
    count: int
    reason: str | Promise


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    drops: list[tuple[models.Model, str, list[Any]]] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    revoke: list[models.Model] = field(default_factory=list)
    stop_sms: list[SmsMessage] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for change in self.changes:
            found[change.kind] = found.get(change.kind, 0) + 1
        for _row, _field, items in self.drops:
            found["contact_persons"] = found.get("contact_persons", 0) + len(items)
        return found


def _customers(tenant: Tenant, found: Findings, start: datetime, result: Plan) -> None:
    held_customers = set(
        Shipment.objects.for_tenant(tenant)
        .filter(customer_id__in=[c.pk for c in found.customers], invoiced_at__gte=start)
        .values_list("customer_id", flat=True)
    )
    for customer in found.customers:
        held = customer.pk in held_customers
        fields = CUSTOMER_OTHER if held else [*INVOICE_IDENTITY, *CUSTOMER_OTHER]
        result.changes.append(Change("customers", customer, fields))
    if held_customers:
        result.kept.append(Kept("customers", len(held_customers), HELD_CUSTOMERS))
    customer_ids = [c.pk for c in found.customers]
    for conflict in Conflict.objects.for_tenant(tenant).filter(customer_id__in=customer_ids):
        result.changes.append(Change("economic_conflicts", conflict, ["values"]))
    links = list(CustomerLink.objects.for_tenant(tenant).filter(customer_id__in=customer_ids))
    for link in links:
        # A held customer keeps its identity and stays in sync; any other is unlinked from
        # further syncing (erased_at), or the next pull would bring the person back.
        erased = [] if link.customer_id in held_customers else ["erased_at"]
        result.changes.append(Change("economic_links", link, ["base", *erased]))
    if links:
        result.kept.append(Kept("customers", len(links), KEPT_ECONOMIC))
    by_customer: dict[int, list[Any]] = {}
    rows: dict[int, models.Model] = {}
    for contact in found.contacts:
        by_customer.setdefault(contact.customer.pk, []).append(contact.person)
        rows[contact.customer.pk] = contact.customer
    for pk, people in by_customer.items():
        result.drops.append((rows[pk], "contact_persons", people))


def _shipments(tenant: Tenant, found: Findings, start: datetime, result: Plan) -> None:
    held = 0
    for shipment in found.deliveries:
        on_invoice = is_held(shipment, start)
        held += on_invoice
        fields = RECIPIENT_FIELDS if on_invoice else [*RECIPIENT_FIELDS, *REFERENCE_FIELDS]
        result.changes.append(Change("deliveries", shipment, fields))
    if held:
        result.kept.append(Kept("deliveries", held, HELD_SHIPMENTS))
    delivery_ids = [s.pk for s in found.deliveries]
    for event in TrackingEvent.objects.for_tenant(tenant).filter(shipment_id__in=delivery_ids):
        if event.note is not None or event.position is not None:
            result.changes.append(Change("tracking_events", event, EVENT_FIELDS))
    for proof in StopUpdate.objects.for_tenant(tenant).filter(shipment_id__in=delivery_ids):
        result.changes.append(Change("proofs_of_delivery", proof, PROOF_FIELDS))
    for shipment in found.pickups:
        result.changes.append(Change("pickups", shipment, PICKUP_FIELDS))


def plan(tenant: Tenant, found: Findings) -> Plan:
    """What erasing the person would change and keep; nothing is written."""
    start = bookkeeping_start(tenant)
    result = Plan()
    _customers(tenant, found, start, result)
    _shipments(tenant, found, start, result)
    for message in found.sms:
        result.changes.append(Change("sms_messages", message, ["phone", "body"]))
        if message.status in (SmsMessage.Status.QUEUED, SmsMessage.Status.SENDING):
            result.stop_sms.append(message)
    if found.opt_outs:
        result.kept.append(Kept("sms_opt_outs", len(found.opt_outs), KEPT_OPT_OUTS))
    for invitation in found.invitations:
        result.changes.append(Change("invitations", invitation, ["email"]))
        if invitation.is_pending:
            result.revoke.append(invitation)
    return result


def carry_out(tenant: Tenant, todo: Plan) -> None:
    """Write the plan and its journal entries; call inside one transaction."""
    now = clock.now()
    entries: list[dict[str, Any]] = []
    for change in todo.changes:
        entries.append(dsr_journal.row_entry(change.row, change.fields))
    for row, name, items in todo.drops:
        entries.append(dsr_journal.drop_entry(row, name, items))
    dsr_journal.append(entries)
    for message in todo.stop_sms:
        # Not sent: its number and text are about to be erased (the count stays for billing).
        message.status = SmsMessage.Status.REFUSED
        message.reason = "erased (data-subject request)"
        message.finished_at = now
        message.save(update_fields=["status", "reason", "finished_at"])
    for invitation in todo.revoke:
        invitation.revoked_at = now  # type: ignore[attr-defined]
        invitation.save(update_fields=["revoked_at"])
    for change in todo.changes:
        dsr_journal.neutralise(change.row, change.fields)
    for row, name, items in todo.drops:
        remaining = [item for item in getattr(row, name) if item not in items]
        setattr(row, name, remaining)
        row.save(update_fields=[name])
