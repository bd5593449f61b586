"""The sync engine against the in-process simulator: pull, push, echo suppression, conflicts,
deletions, archive → barred, web hooks, and the management command."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command

from budstikke.customers import search
from budstikke.customers.actions import archive_customer, create_customer, update_customer
from budstikke.customers.models import Customer, SyncState
from budstikke.economic import actions, sync
from budstikke.economic.models import Conflict, CustomerLink
from budstikke.economic.simulator import DEFAULT_AGREEMENT, Simulator
from budstikke.economic.simulator.store import seed_customers
from budstikke.economic.testing import BASE, Wired, connect, simulated_economic
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def wired(personas: Personas) -> Iterator[Wired]:
    simulator = Simulator(base_url=BASE)
    seed_customers(simulator.store, DEFAULT_AGREEMENT, 3)
    with simulated_economic(simulator):
        yield connect(personas.tenant_a, simulator)


def _customer(personas: Personas, number: int) -> Customer:
    found: Customer = Customer.objects.for_tenant(personas.tenant_a).get(customer_number=number)
    return found


def test_the_first_sync_pulls_every_customer(wired: Wired, personas: Personas) -> None:
    report = sync.sync(wired.connection)
    assert report.created_here == 3
    assert not report.errors
    customer = _customer(personas, 2)
    assert customer.name == "Kunde 000002 ApS"
    assert customer.sync_state == SyncState.IN_SYNC
    found = search.search(personas.tenant_a, "kunde 000002")
    assert [c.customer_number for c in found] == [2]


def test_a_local_edit_reaches_economic_and_does_not_echo_back(
    wired: Wired, personas: Personas
) -> None:
    sync.sync(wired.connection)
    customer = _customer(personas, 1)
    update_customer(customer, city="Skagen")
    customer.refresh_from_db()
    assert customer.sync_state == SyncState.PENDING
    pushed = sync.sync(wired.connection)
    assert pushed.updated_there == 1
    assert wired.customers()[1]["city"] == "Skagen"
    again = sync.sync(wired.connection)
    assert again.quiet, again.lines()
    customer.refresh_from_db()
    assert customer.sync_state == SyncState.IN_SYNC


def test_an_incremental_sync_of_ten_changes_needs_at_most_three_calls(
    wired: Wired, personas: Personas
) -> None:
    seed_customers(wired.simulator.store, DEFAULT_AGREEMENT, 40, start=4)
    sync.sync(wired.connection)
    for number in range(1, 11):
        wired.simulator.store.edit_customer(DEFAULT_AGREEMENT, number, city="Ribe")
    report = sync.sync(wired.connection)
    assert report.updated_here == 10
    assert report.api_calls <= 3
    assert _customer(personas, 7).city == "Ribe"


def test_a_conflict_keeps_the_losing_value_for_review(wired: Wired, personas: Personas) -> None:
    sync.sync(wired.connection)
    customer = _customer(personas, 1)
    update_customer(customer, email="lokal@fragt.dk")
    wired.simulator.store.edit_customer(DEFAULT_AGREEMENT, 1, email="regnskab@fragt.dk")
    sync.sync(wired.connection)
    customer.refresh_from_db()
    assert customer.email == "regnskab@fragt.dk"  # default policy: e-conomic wins
    assert customer.sync_state == SyncState.CONFLICT
    conflict = Conflict.objects.for_tenant(personas.tenant_a).get()
    assert conflict.lost_value == "lokal@fragt.dk"
    actions.reapply_conflict(conflict)
    sync.sync(wired.connection)
    assert wired.customers()[1]["email"] == "lokal@fragt.dk"
    customer.refresh_from_db()
    assert customer.sync_state == SyncState.IN_SYNC


def test_a_customer_created_here_is_created_once_there_despite_a_dropped_connection(
    wired: Wired, personas: Personas
) -> None:
    sync.sync(wired.connection)
    create_customer(tenant=personas.tenant_a, name="Ny Kunde ApS", email="ny@kunde.dk")
    wired.simulator.inject("drop_after_commit", method="POST")
    sync.sync(wired.connection)
    sync.sync(wired.connection)
    names = [c["name"] for c in wired.customers().values()]
    assert names.count("Ny Kunde ApS") == 1
    assert Customer.objects.for_tenant(personas.tenant_a).count() == 4


def test_archiving_here_bars_the_customer_there(wired: Wired, personas: Personas) -> None:
    sync.sync(wired.connection)
    archive_customer(_customer(personas, 3))
    sync.sync(wired.connection)
    assert wired.customers()[3].get("barred") is True
    assert sync.sync(wired.connection).quiet


def test_a_customer_deleted_there_is_archived_here_only_after_a_full_listing(
    wired: Wired, personas: Personas
) -> None:
    sync.sync(wired.connection)
    with wired.simulator.store.lock:
        del wired.simulator.store.agreement(DEFAULT_AGREEMENT).customers[2]
    sync.sync(wired.connection)
    assert _customer(personas, 2).archived_at is None  # an incremental pull decides nothing
    wired.simulator.inject("server_error", method="GET", times=5)
    sync.sync(wired.connection, full=True)
    assert _customer(personas, 2).archived_at is None  # incomplete listing: nothing archived
    report = sync.sync(wired.connection, full=True)
    assert report.archived_here == 1
    assert _customer(personas, 2).archived_at is not None
    assert CustomerLink.objects.for_tenant(personas.tenant_a).count() == 3


def test_a_web_hook_call_is_queued_once_and_pulls_the_customer(
    wired: Wired, personas: Personas
) -> None:
    sync.sync(wired.connection)
    wired.simulator.store.edit_customer(DEFAULT_AGREEMENT, 2, name="Omdøbt ApS")
    assert actions.queue_hook_call(wired.connection, 2, 2) is True
    assert actions.queue_hook_call(wired.connection, 2, 2) is False
    engine = sync.Engine(wired.connection, sync.client_for(wired.connection))
    engine.process_hooks()
    assert _customer(personas, 2).name == "Omdøbt ApS"


def test_the_command_prints_what_it_did(wired: Wired, personas: Personas) -> None:
    out = StringIO()
    call_command("economic", "sync", "--tenant", personas.tenant_a.slug, stdout=out)
    assert "pulled 3 customers" in out.getvalue()
    assert "3 created" in out.getvalue()
