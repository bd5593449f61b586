"""Posting queued draft invoices to e-conomic (ARCHITECTURE invariant 3).

`create_draft_invoice` never resends blindly: when a POST's outcome is unknown (connection
lost after sending, a 5xx), the invoice is marked uncertain, and before any later POST the
drafts are searched for its `references.other`; found means done. So a draft is created at
most once per Invoice row, and each shipment sits on one Invoice row only.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction

from budstikke.billing.models import Invoice
from budstikke.core import clock
from budstikke.core.outbox import Schedule
from budstikke.economic import sync
from budstikke.economic.actions import connection_of
from budstikke.economic.client import EconomicClient, format_timestamp
from budstikke.economic.errors import (
    EconomicError,
    InvalidDataError,
    NotConfiguredError,
    OutcomeUnknownError,
    RateLimitedError,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
CLAIM_SECONDS = 300
# How far before the invoice's creation drafts are searched (clocks differ, days pass).
SEARCH_MARGIN = timedelta(days=2)
Status = Invoice.Status


SCHEDULE = Schedule(
    waiting=Status.PENDING,
    max_attempts=MAX_ATTEMPTS,
    claim_for=timedelta(seconds=CLAIM_SECONDS),
    first_wait=timedelta(minutes=1),  # 1 min, 2 min, 4 min, … six hours at most
    longest_wait=timedelta(hours=6),
)


def _claim(pk: int, now: datetime) -> Invoice | None:
    with transaction.atomic():
        row: Invoice | None = (
            Invoice.objects.dangerously_unscoped()
            .select_for_update()
            .filter(SCHEDULE.due(now), pk=pk)
            .select_related("tenant")
            .first()
        )
        if row is None:
            return None
        if row.status == Status.SENDING:
            row.uncertain = True  # a worker died mid-POST: it may have arrived
        row.save(update_fields=[*SCHEDULE.claim_locked(row, now), "uncertain"])
        return row


def find_draft(client: EconomicClient, invoice: Invoice) -> int | None:
    """The number of the draft carrying this invoice's reference, if e-conomic has one."""
    since = format_timestamp(invoice.created_at - SEARCH_MARGIN)
    for draft in client.collection("invoices/drafts", filter=f"lastUpdated$gte:{since}"):
        if (draft.get("references") or {}).get("other") == invoice.reference:
            return int(draft["draftInvoiceNumber"])
    return None


def _post(invoice: Invoice) -> int:
    connection = connection_of(invoice.tenant)
    if connection is None or not connection.is_connected:
        raise NotConfiguredError("e-conomic is not connected")
    with sync.client_for(connection) as client:
        if invoice.uncertain:
            found = find_draft(client, invoice)
            if found is not None:
                log.info("draft invoice %s found after an unknown outcome", invoice.pk)
                return found
        created = client.create_draft_invoice(invoice.body)
    return int(created["draftInvoiceNumber"])


def deliver(pk: int) -> str | None:
    now = clock.now()
    invoice = _claim(pk, now)
    if invoice is None:
        return None
    try:
        number = _post(invoice)
    except EconomicError as exc:
        return _failed(invoice, exc)
    SCHEDULE.mine(Invoice.objects.for_tenant(invoice.tenant), invoice).update(
        status=Status.DONE,
        draft_number=number,
        sent_at=clock.now(),
        claimed_until=None,
        uncertain=False,
        last_error="",
    )
    return str(Status.DONE)


def _failed(invoice: Invoice, exc: EconomicError) -> str:
    wait = None
    uncertain = invoice.uncertain or isinstance(exc, OutcomeUnknownError)
    message = type(exc).__name__
    if isinstance(exc, RateLimitedError) and exc.retry_after:
        wait = timedelta(seconds=exc.retry_after)
    retry = SCHEDULE.retry(invoice.attempts, clock.now(), wait)
    if isinstance(exc, InvalidDataError):
        retry["status"] = Status.FAILED  # the data or the settings must change first
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.field_errors.items())
        message = message or exc.message
    SCHEDULE.mine(Invoice.objects.for_tenant(invoice.tenant), invoice).update(
        **retry, uncertain=uncertain, last_error=message[:500]
    )
    log.warning("draft invoice %s attempt %s: %s", invoice.pk, invoice.attempts, type(exc).__name__)
    return str(retry["status"])


def deliver_due(limit: int = 100) -> int:
    ids = SCHEDULE.due_ids(Invoice.objects.dangerously_unscoped(), limit)
    return sum(1 for pk in ids if deliver(pk) is not None)
