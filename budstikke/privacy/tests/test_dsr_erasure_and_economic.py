"""An erased customer stays erased: e-conomic keeps its own copy (the controller's books),
but no later sync brings the person's data back into Budstikke."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from budstikke.customers.models import Customer
from budstikke.economic import sync
from budstikke.economic.models import CustomerLink
from budstikke.economic.simulator import DEFAULT_AGREEMENT, Simulator
from budstikke.economic.simulator.store import seed_customers
from budstikke.economic.testing import BASE, Wired, connect, simulated_economic
from budstikke.privacy import dsr
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def wired(personas: Personas, settings: Any, tmp_path: Path) -> Iterator[Wired]:
    settings.DATA_DIR = tmp_path  # the erasure journal
    simulator = Simulator(base_url=BASE)
    seed_customers(simulator.store, DEFAULT_AGREEMENT, 2)
    with simulated_economic(simulator):
        yield connect(personas.tenant_a, simulator)


def _customer(personas: Personas, number: int) -> Customer:
    found: Customer = Customer.objects.for_tenant(personas.tenant_a).get(customer_number=number)
    return found


def test_no_sync_brings_an_erased_customer_back(wired: Wired, personas: Personas) -> None:
    sync.sync(wired.connection)
    assert _customer(personas, 2).email == "kunde2@example.dk"

    dsr.erase(personas.tenant_a, personas.alice, "email", "kunde2@example.dk")
    wired.simulator.store.edit_customer(DEFAULT_AGREEMENT, 2, city="Aalborg")
    sync.sync(wired.connection)
    sync.sync(wired.connection, full=True)

    erased = _customer(personas, 2)
    assert not erased.name
    assert not erased.email
    assert not erased.city
    link = CustomerLink.objects.for_tenant(personas.tenant_a).get(customer=erased)
    assert link.erased_at is not None
    assert Customer.objects.for_tenant(personas.tenant_a).count() == 2  # no new copy either
    assert _customer(personas, 1).email == "kunde1@example.dk"  # the other still syncs
