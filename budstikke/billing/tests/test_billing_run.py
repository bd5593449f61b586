"""The billing run creates one e-conomic draft invoice per customer for its delivered, not
yet invoiced shipments; running it again bills nothing twice, and a POST whose outcome was
lost is found again by its reference instead of being sent twice."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from budstikke.billing import actions, outbox
from budstikke.billing.models import Invoice, InvoiceLine
from budstikke.billing.testing import PRODUCT, economic_customer, freight_product
from budstikke.dispatch.testing import courier_of, delivered_shipment
from budstikke.economic.simulator import DEFAULT_AGREEMENT, Simulator
from budstikke.economic.testing import connect, simulated_economic
from budstikke.shipments.machine import Status
from budstikke.shipments.models import Shipment
from budstikke.shipments.testing import make_customer, make_shipment
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def simulator(personas: Personas) -> Iterator[Simulator]:
    with simulated_economic() as simulator:
        connect(personas.tenant_a, simulator)
        freight_product(simulator, personas.tenant_a)
        yield simulator


def _drafts(simulator: Simulator) -> list[dict[str, Any]]:
    with simulator.store.lock:
        return list(simulator.store.agreement(DEFAULT_AGREEMENT).drafts.values())


def _delivered(personas: Personas, customer: Any, count: int) -> list[Shipment]:
    carl = courier_of(personas.tenant_a, personas.carl)
    return [
        delivered_shipment(personas.tenant_a, carl, personas.bob, customer=customer)[0]
        for _ in range(count)
    ]


def test_billing_twice_makes_one_draft_per_customer(
    personas: Personas, simulator: Simulator, django_capture_on_commit_callbacks: Any
) -> None:
    shop = make_customer(personas.tenant_a, "Cykelbutikken ApS")
    bakery = make_customer(personas.tenant_a, "Bageriet I/S")
    economic_customer(simulator, shop, 101)
    economic_customer(simulator, bakery, 102)
    shop_shipments = _delivered(personas, shop, 3)
    bakery_shipments = _delivered(personas, bakery, 2)
    make_shipment(personas.tenant_a, shop)  # not delivered: not billed

    with django_capture_on_commit_callbacks(execute=True):
        first = actions.run_billing(personas.tenant_a)
    stamped = {s.pk: s.invoiced_at for s in Shipment.objects.for_tenant(personas.tenant_a)}
    with django_capture_on_commit_callbacks(execute=True):
        second = actions.run_billing(personas.tenant_a)
    outbox.deliver_due()

    assert (first.invoice_count, first.shipment_count) == (2, 5)
    assert (second.invoice_count, second.shipment_count) == (0, 0)
    drafts = _drafts(simulator)
    assert sorted(d["customer"] for d in drafts) == [101, 102]
    by_customer = {d["customer"]: d for d in drafts}
    shop_draft = by_customer[101]
    assert len(shop_draft["lines"]) == 3
    assert {line["product"] for line in shop_draft["lines"]} == {PRODUCT}
    assert shop_draft["currency"] == "DKK"
    assert shop_draft["layout"] == 19
    assert shop_draft["recipient"]["name"] == "Cykelbutikken ApS"
    total = sum(Decimal(str(line["unitNetPrice"])) for line in shop_draft["lines"])
    assert total == sum(s.price for s in shop_shipments)
    descriptions = " ".join(line["description"] for line in shop_draft["lines"])
    assert all(s.tracking_number in descriptions for s in shop_shipments)

    billed = Shipment.objects.for_tenant(personas.tenant_a).filter(invoiced_at__isnull=False)
    assert {s.pk for s in billed} == {s.pk for s in shop_shipments + bakery_shipments}
    # The second run stamped nothing again.
    assert {s.pk: s.invoiced_at for s in Shipment.objects.for_tenant(personas.tenant_a)} == stamped
    assert InvoiceLine.objects.for_tenant(personas.tenant_a).count() == 5
    assert set(Invoice.objects.for_tenant(personas.tenant_a).values_list("status", flat=True)) == {
        Invoice.Status.DONE
    }


def test_a_lost_answer_is_reconciled_not_resent(
    personas: Personas, simulator: Simulator, clock: Any
) -> None:
    shop = make_customer(personas.tenant_a)
    economic_customer(simulator, shop, 101)
    _delivered(personas, shop, 2)
    simulator.inject("drop_after_commit", method="POST", path="/invoices/drafts")

    actions.run_billing(personas.tenant_a)
    invoice = Invoice.objects.for_tenant(personas.tenant_a).get()
    assert outbox.deliver(invoice.pk) == Invoice.Status.PENDING
    invoice.refresh_from_db()
    assert invoice.uncertain
    assert len(_drafts(simulator)) == 1  # it did arrive

    clock.advance(outbox.SCHEDULE.backoff(1))
    outbox.deliver_due()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DONE
    assert invoice.draft_number is not None
    assert len(_drafts(simulator)) == 1


def test_customers_not_in_economic_are_skipped_and_stay_unbilled(
    personas: Personas, simulator: Simulator
) -> None:
    local_only = make_customer(personas.tenant_a, "Kun Lokalt ApS")
    shipments = _delivered(personas, local_only, 1)
    run = actions.run_billing(personas.tenant_a)
    assert run.invoice_count == 0
    assert run.skipped_customers == [local_only.pk]
    shipments[0].refresh_from_db()
    assert shipments[0].invoiced_at is None
    assert shipments[0].status == Status.DELIVERED


def test_a_rejected_draft_fails_with_the_field_and_can_be_retried(
    personas: Personas, simulator: Simulator
) -> None:
    shop = make_customer(personas.tenant_a)
    economic_customer(simulator, shop, 101)
    _delivered(personas, shop, 1)
    actions.save_settings(personas.tenant_a, product_number="NOPE", layout_number=19, monthly=True)
    actions.run_billing(personas.tenant_a)
    outbox.deliver_due()
    invoice = Invoice.objects.for_tenant(personas.tenant_a).get()
    assert invoice.status == Invoice.Status.FAILED
    assert "product" in invoice.last_error

    actions.save_settings(personas.tenant_a, product_number=PRODUCT, layout_number=19, monthly=True)
    actions.retry_invoice(invoice)
    outbox.deliver_due()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DONE
    assert len(_drafts(simulator)) == 1


def test_billing_needs_a_product_number(personas: Personas) -> None:
    with pytest.raises(actions.BillingNotReadyError):
        actions.run_billing(personas.tenant_a)
