"""The monthly job bills what was delivered before the first of the month, once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from budstikke.billing import tasks
from budstikke.billing.models import BillingRun, Invoice
from budstikke.billing.testing import economic_customer, freight_product
from budstikke.dispatch.testing import courier_of, delivered_shipment
from budstikke.economic.testing import connect, simulated_economic
from budstikke.shipments.testing import make_customer
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


def test_monthly_billing_takes_last_month_only_and_only_once(
    personas: Personas, clock: Any
) -> None:
    with simulated_economic() as simulator:
        connect(personas.tenant_a, simulator)
        freight_product(simulator, personas.tenant_a)
        shop = make_customer(personas.tenant_a)
        economic_customer(simulator, shop, 101)
        courier = courier_of(personas.tenant_a, personas.carl)
        clock.freeze(datetime(2026, 2, 27, 12, tzinfo=UTC))
        last_month, _proof = delivered_shipment(
            personas.tenant_a, courier, personas.bob, customer=shop
        )
        clock.freeze(datetime(2026, 3, 1, 0, 30, tzinfo=UTC))  # 01:30 in Copenhagen
        this_month, _proof = delivered_shipment(
            personas.tenant_a, courier, personas.bob, customer=shop
        )
        clock.freeze(datetime(2026, 3, 1, 6, tzinfo=UTC))

        assert tasks.monthly_billing() == 1
        assert tasks.monthly_billing() == 1

    runs = BillingRun.objects.for_tenant(personas.tenant_a)
    assert [r.trigger for r in runs] == ["monthly", "monthly"]
    assert sorted(r.shipment_count for r in runs) == [0, 1]
    assert Invoice.objects.for_tenant(personas.tenant_a).count() == 1
    last_month.refresh_from_db()
    this_month.refresh_from_db()
    assert last_month.invoiced_at is not None
    assert this_month.invoiced_at is None
