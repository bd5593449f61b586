"""Charlie gets 404 for tenant A's billing: its invoices, and its numbers never appear on
his own billing and report pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from budstikke.billing.models import Invoice
from budstikke.billing.testing import economic_customer, freight_product
from budstikke.dispatch.testing import courier_of, delivered_shipment
from budstikke.economic.simulator import Simulator
from budstikke.economic.testing import connect, simulated_economic
from budstikke.shipments.testing import make_customer
from budstikke.tenants.testing import Personas, outsider_test

pytestmark = pytest.mark.django_db


@pytest.fixture
def simulator(personas: Personas) -> Iterator[Simulator]:
    with simulated_economic() as simulator:
        connect(personas.tenant_a, simulator)
        freight_product(simulator, personas.tenant_a)
        yield simulator


@outsider_test(
    "billing:home",
    "billing:settings",
    "billing:run",
    "billing:invoice-retry",
    "billing:reports",
    "billing:reports-csv",
)
def test_charlie_gets_404_for_tenant_a_billing(
    charlie_client: Client,
    alice_client: Client,
    personas: Personas,
    simulator: Simulator,
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = make_customer(personas.tenant_a, "Alfas Kunde ApS")
    economic_customer(simulator, shop, 101)
    carl = courier_of(personas.tenant_a, personas.carl)
    delivered_shipment(personas.tenant_a, carl, personas.bob, customer=shop)
    with django_capture_on_commit_callbacks(execute=True):
        assert alice_client.post("/tenant/billing/run/").status_code == 302
    invoice = Invoice.objects.for_tenant(personas.tenant_a).get()
    Invoice.objects.for_tenant(personas.tenant_a).update(status=Invoice.Status.FAILED)

    assert charlie_client.post(f"/tenant/billing/invoices/{invoice.pk}/retry/").status_code == 404
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.FAILED

    # His own pages: nothing of tenant A; his run bills nothing of A.
    assert "Alfas Kunde" not in charlie_client.get("/tenant/billing/").content.decode()
    charlie_client.post("/tenant/billing/run/")
    assert Invoice.objects.for_tenant(personas.tenant_b).count() == 0
    charlie_client.post("/tenant/billing/settings/", {"product_number": "X", "layout_number": 5})
    from budstikke.billing.actions import settings_for

    assert settings_for(personas.tenant_a).product_number != "X"
    report = charlie_client.get("/tenant/billing/reports/export.csv").content.decode()
    assert ";1;" not in report  # tenant A's delivery is not counted for B
    assert "Alfas Kunde" not in charlie_client.get("/tenant/billing/reports/").content.decode()


def test_billing_is_for_admins_reports_for_the_office(
    bob_client: Client, carl_client: Client
) -> None:
    assert bob_client.get("/tenant/billing/").status_code == 403
    assert bob_client.get("/tenant/billing/reports/").status_code == 200
    assert carl_client.get("/tenant/billing/reports/").status_code == 403
