"""Test support for billing: a tenant ready to bill against the in-process simulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import models

from budstikke.billing import actions
from budstikke.billing.models import BillingRun, Invoice
from budstikke.core import clock
from budstikke.customers.models import Customer
from budstikke.economic.simulator import DEFAULT_AGREEMENT, Simulator

if TYPE_CHECKING:
    from budstikke.tenants.models import Tenant
    from budstikke.tenants.testing import Personas

PRODUCT = "FRAGT"


def economic_customer(simulator: Simulator, customer: Customer, number: int) -> None:
    """Put `customer` into the simulated agreement under `number`, as the sync would."""
    with simulator.store.lock:
        simulator.store.agreement(DEFAULT_AGREEMENT).customers[number] = {
            "customerNumber": number,
            "name": customer.name,
            "currency": customer.currency,
            "customerGroup": 1,
            "paymentTerms": customer.payment_terms,
            "vatZone": customer.vat_zone,
            "lastUpdated": clock.now().replace(microsecond=0),
        }
    Customer.objects.for_tenant(customer.tenant).filter(pk=customer.pk).update(
        customer_number=number
    )
    customer.customer_number = number


def freight_product(simulator: Simulator, tenant: Tenant) -> None:
    with simulator.store.lock:
        simulator.store.agreement(DEFAULT_AGREEMENT).products[PRODUCT] = {
            "productNumber": PRODUCT,
            "name": "Fragt",
            "productGroup": 1,
            "lastUpdated": clock.now(),
        }
    actions.save_settings(tenant, product_number=PRODUCT, layout_number=19, monthly=True)


def _an_invoice(p: Personas) -> models.Model:
    from budstikke.shipments.testing import make_customer

    customer = make_customer(p.tenant_a, customer_number=4711)
    run = BillingRun.objects.create(
        tenant=p.tenant_a,
        cutoff=clock.now(),
        trigger=BillingRun.Trigger.MANUAL,
    )
    invoice: Invoice = Invoice.objects.create(
        tenant=p.tenant_a,
        run=run,
        customer=customer,
        reference="budstikke-sample",
        body={"lines": []},
        currency="DKK",
        total=0,
        shipment_count=0,
        status=Invoice.Status.FAILED,
    )
    return invoice


OUTSIDER_SAMPLES: dict[type[models.Model], Callable[[Personas], models.Model]] = {
    Invoice: _an_invoice,
}
