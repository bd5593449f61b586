"""Every other rule of the registry that deletes: the row past its period goes, the one
inside it stays (outboxes, invitations, e-conomic bookkeeping, web hooks, API keys' request
fingerprints, CSV uploads, accounting, data protection's own records)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from django.db import models

from budstikke.accounts.models import OutgoingEmail
from budstikke.api.actions import create_api_key
from budstikke.billing.models import BillingRun, Invoice, InvoiceLine
from budstikke.core.clock import ClockControl
from budstikke.economic.models import Conflict, HookCall, Push
from budstikke.privacy import purge
from budstikke.privacy.models import DataSubjectRequest, Incident, PurgeCount, PurgeRun
from budstikke.shipments.models import CsvImport, IdempotencyKey
from budstikke.shipments.testing import make_customer, make_shipment
from budstikke.tenants.actions import invite
from budstikke.tenants.models import LicenceInvoice, Role
from budstikke.tenants.testing import Personas
from budstikke.webhooks.models import Attempt, Delivery, EventType
from budstikke.webhooks.testing import _an_endpoint

pytestmark = pytest.mark.django_db

NOW = datetime(2032, 6, 1, 3, 30, tzinfo=UTC)

type Maker = Callable[[Personas, datetime], models.Model]


def _email(p: Personas, at: datetime) -> models.Model:
    row: models.Model = OutgoingEmail.objects.create(
        idempotency_key=uuid.uuid4(),
        sealed_message="sealed",
        status=OutgoingEmail.Status.SENT,
        created_at=at,
        sent_at=at,
    )
    return row


def _confirmation(p: Personas, at: datetime) -> models.Model:
    address, _new = EmailAddress.objects.get_or_create(user=p.alice, email=p.alice.email)
    row: models.Model = EmailConfirmation.objects.create(
        email_address=address, created=at, key=uuid.uuid4().hex
    )
    return row


def _invitation(p: Personas, at: datetime) -> models.Model:
    invitation = invite(
        tenant=p.tenant_a,
        email=f"{uuid.uuid4().hex[:8]}@x.example",
        role=Role.COURIER,
        invited_by=p.alice,
    )
    type(invitation).objects.for_tenant(p.tenant_a).filter(pk=invitation.pk).update(expires_at=at)
    return invitation


def _push(p: Personas, at: datetime) -> models.Model:
    row: models.Model = Push.objects.create(
        tenant=p.tenant_a, customer=make_customer(p.tenant_a), status=Push.Status.DONE, done_at=at
    )
    return row


def _hook_call(p: Personas, at: datetime) -> models.Model:
    row: models.Model = HookCall.objects.create(
        tenant=p.tenant_a, old_number=1, new_number=2, received_at=at, processed_at=at
    )
    return row


def _conflict(p: Personas, at: datetime) -> models.Model:
    row: models.Model = Conflict.objects.create(
        tenant=p.tenant_a,
        customer=make_customer(p.tenant_a),
        field="name",
        winner="economic",
        reason="newer",
        values={"budstikke": "A", "economic": "B"},
        created_at=at,
        resolved_at=at,
    )
    return row


def _delivery(p: Personas, at: datetime) -> models.Model:
    endpoint = _an_endpoint(p)
    delivery: Delivery = Delivery.objects.create(
        tenant=p.tenant_a,
        endpoint=endpoint,
        message_id=uuid.uuid4().hex,
        event_type=EventType.CREATED,
        payload={"tracking_number": "BSK1"},
        status=Delivery.Status.DELIVERED,
        created_at=at,
        delivered_at=at,
    )
    Attempt.objects.create(tenant=p.tenant_a, delivery=delivery, at=at, status_code=200)
    return delivery


def _idempotency_key(p: Personas, at: datetime) -> models.Model:
    api_key, _secret = create_api_key(
        tenant=p.tenant_a, name="Shop", scopes=["shipments:write"], created_by=None
    )
    row: models.Model = IdempotencyKey.objects.create(
        tenant=p.tenant_a,
        api_key=api_key,
        key=uuid.uuid4().hex,
        request_hash="0" * 64,
        shipment=make_shipment(p.tenant_a),
        created_at=at,
    )
    return row


def _csv_import(p: Personas, at: datetime) -> models.Model:
    row: models.Model = CsvImport.objects.create(
        tenant=p.tenant_a, content=b"name;phone\n", created_at=at
    )
    return row


def _licence_invoice(p: Personas, at: datetime) -> models.Model:
    row: models.Model = LicenceInvoice.objects.create(
        tenant=p.tenant_a,
        number=uuid.uuid4().hex[:12],
        period_start=date(at.year, 1, 1),
        period_end=date(at.year, 1, 31),
        amount=Decimal("499.00"),
        issued_at=at,
    )
    return row


def _invoice(p: Personas, at: datetime) -> models.Model:
    run = BillingRun.objects.create(
        tenant=p.tenant_a, cutoff=at, trigger=BillingRun.Trigger.MANUAL, created_at=at
    )
    invoice: Invoice = Invoice.objects.create(
        tenant=p.tenant_a,
        run=run,
        customer=make_customer(p.tenant_a),
        reference=uuid.uuid4().hex,
        body={"lines": []},
        currency="DKK",
        total=Decimal("10.00"),
        shipment_count=0,
        created_at=at,
    )
    return invoice


def _purge_run(p: Personas, at: datetime) -> models.Model:
    run = PurgeRun.objects.create(started_at=at, finished_at=at)
    PurgeCount.objects.create(run=run, rule="sessions.session", action="delete", count=1)
    return run


def _request(p: Personas, at: datetime) -> models.Model:
    row: models.Model = DataSubjectRequest.objects.create(
        tenant=p.tenant_a,
        kind=DataSubjectRequest.Kind.EXPORT,
        search_by=DataSubjectRequest.SearchBy.EMAIL,
        subject="mette@example.dk",
        created_at=at,
        completed_at=at,
    )
    return row


def _incident(p: Personas, at: datetime) -> models.Model:
    row: models.Model = Incident.objects.create(
        title="Lost laptop", description="…", aware_at=at, closed_at=at
    )
    return row


# (maker, start of a row just past its period, start of a row just inside it)
CASES: dict[str, tuple[Maker, datetime, datetime]] = {
    "accounts.outgoingemail": (_email, NOW - timedelta(days=31), NOW - timedelta(days=29)),
    "account.emailconfirmation": (_confirmation, NOW - timedelta(days=8), NOW - timedelta(days=6)),
    "tenants.invitation": (_invitation, NOW - timedelta(days=31), NOW - timedelta(days=29)),
    "economic.push": (_push, NOW - timedelta(days=31), NOW - timedelta(days=29)),
    "economic.hookcall": (_hook_call, NOW - timedelta(days=31), NOW - timedelta(days=29)),
    "economic.conflict": (_conflict, NOW - timedelta(days=366), NOW - timedelta(days=364)),
    "webhooks.delivery": (_delivery, NOW - timedelta(days=31), NOW - timedelta(days=29)),
    "shipments.idempotencykey": (
        _idempotency_key,
        NOW - timedelta(days=31),
        NOW - timedelta(days=29),
    ),
    "shipments.csvimport": (_csv_import, NOW - timedelta(hours=25), NOW - timedelta(hours=23)),
    # Financial year 2026 ends 31 December 2026; + 5 years: due from 2032.
    "tenants.licenceinvoice": (
        _licence_invoice,
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 2, tzinfo=UTC),
    ),
    "billing.invoice": (
        _invoice,
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 2, tzinfo=UTC),
    ),
    "privacy.purgerun": (
        _purge_run,
        datetime(2029, 5, 31, tzinfo=UTC),
        datetime(2029, 6, 2, tzinfo=UTC),
    ),
    "privacy.datasubjectrequest": (
        _request,
        datetime(2029, 5, 31, tzinfo=UTC),
        datetime(2029, 6, 2, tzinfo=UTC),
    ),
    "privacy.incident": (
        _incident,
        datetime(2027, 5, 31, tzinfo=UTC),
        datetime(2027, 6, 2, tzinfo=UTC),
    ),
}


@pytest.mark.parametrize("key", sorted(CASES))
def test_the_row_past_its_period_goes_and_the_one_inside_stays(
    key: str, personas: Personas, clock: type[ClockControl]
) -> None:
    make, past, inside = CASES[key]
    clock.freeze(min(past, inside))
    gone = make(personas, past)
    kept = make(personas, inside)
    model = type(gone)
    clock.freeze(NOW)
    run = purge.run()
    assert not model._base_manager.filter(pk=gone.pk).exists()
    assert model._base_manager.filter(pk=kept.pk).exists()
    counted = run.counts.filter(rule=key).values_list("count", flat=True)
    assert list(counted) == [1]


def test_deliveries_take_their_attempts_and_invoices_their_lines_and_runs(
    personas: Personas, clock: type[ClockControl]
) -> None:
    then = datetime(2026, 6, 1, tzinfo=UTC)
    clock.freeze(then)
    delivery = _delivery(personas, then)
    invoice: Any = _invoice(personas, then)
    InvoiceLine.objects.create(
        tenant=personas.tenant_a, invoice=invoice, shipment=make_shipment(personas.tenant_a)
    )
    clock.freeze(NOW)
    run = purge.run()
    assert not Attempt.objects.filter(delivery_id=delivery.pk).exists()
    assert not InvoiceLine.objects.exists()
    assert not BillingRun.objects.exists()
    rules = set(run.counts.values_list("rule", flat=True))
    assert {"webhooks.attempt", "billing.invoiceline", "billing.billingrun"} <= rules
