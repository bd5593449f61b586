"""The sync invariant as a property: random edits on both sides (the same fields included),
random faults, then sync until quiet →
- every linked customer's mapped fields are equal on both sides,
- no customer is duplicated on either side,
- no edit is lost, except as a recorded conflict."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budstikke.core import clock
from budstikke.customers.actions import archive_customer, create_customer, update_customer
from budstikke.customers.models import Customer
from budstikke.economic import sync
from budstikke.economic.fields import FIELD_MAP, local_fields
from budstikke.economic.merge import from_economic, normalise
from budstikke.economic.models import Conflict, CustomerLink
from budstikke.economic.simulator import Simulator
from budstikke.economic.simulator.store import seed_customers
from budstikke.economic.testing import BASE, connect, simulated_economic
from budstikke.tenants.models import Tenant

pytestmark = pytest.mark.django_db

VALUES: dict[str, list[Any]] = {
    "name": ["Fragt ApS", "Fragt A/S", "Kurér & Søn", "Blå Bud ApS"],
    "city": ["Aarhus C", "Odense", "", "Vejle"],
    "email": ["a@fragt.dk", "b@fragt.dk", ""],
    "mobilePhone": ["+45 20000001", "+45 30000002", ""],
    "website": ["https://fragt.dk", ""],
    "creditLimit": [1000, 2500.5, None],
    "paymentTerms": [1, 2, 3],
}
FAULTS = ["rate_limit", "server_error", "drop_before_commit", "drop_after_commit", "slow"]
_tenants = itertools.count(1)

edit = st.tuples(
    st.sampled_from(["budstikke", "economic"]),
    st.integers(min_value=0, max_value=3),  # which customer
    st.sampled_from(sorted(VALUES)),
    st.integers(min_value=0, max_value=3),  # which value
)
fault = st.tuples(
    st.sampled_from(FAULTS),
    st.sampled_from([None, "GET", "PUT", "POST"]),
    st.integers(min_value=1, max_value=6),  # times: up to more than the client retries
)


def _local_value(field: str, value: Any) -> Any:
    if field in ("paymentTerms", "creditLimit"):
        return value
    return value if value is not None else ""


def _remote_value(field: str, value: Any) -> Any:
    if field == "paymentTerms":
        return value
    if value in ("", None):
        return None
    return value


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    edits=st.lists(edit, max_size=12),
    faults=st.lists(fault, max_size=4),
    new_here=st.integers(min_value=0, max_value=2),
    new_there=st.integers(min_value=0, max_value=2),
    archive=st.sets(st.integers(min_value=0, max_value=3), max_size=1),
)
def test_sync_until_quiet_agrees_loses_nothing_and_duplicates_nothing(  # noqa: PLR0912 - one scenario
    edits: list[tuple[str, int, str, int]],
    faults: list[tuple[str, str | None, int]],
    new_here: int,
    new_there: int,
    archive: set[int],
) -> None:
    n = next(_tenants)
    tenant = Tenant.objects.create(name=f"Property {n}", slug=f"property-{n}")
    simulator = Simulator(base_url=BASE)
    agreement = 2_000_000 + n
    seed_customers(simulator.store, agreement, 4)
    with simulated_economic(simulator):
        wired = connect(tenant, simulator, agreement)
        first = sync.sync(wired.connection)
        assert not first.errors
        links = CustomerLink.objects.for_tenant(tenant).select_related("customer")
        by_number = {link.customer_number: link.customer for link in links}
        numbers = sorted(by_number)
        initial = {number: from_economic(c) for number, c in simulator.customers(agreement).items()}

        # Edits on both sides; the last edit of each (side, customer, field) is what counts.
        last: dict[tuple[str, int, str], Any] = {}
        for side, which, field, choice in edits:
            number = numbers[which]
            value = VALUES[field][choice % len(VALUES[field])]
            last[(side, number, field)] = value
            if side == "budstikke":
                customer = Customer.objects.for_tenant(tenant).get(pk=by_number[number].pk)
                update_customer(customer, **{FIELD_MAP[field]: _local_value(field, value)})
            else:
                simulator.store.edit_customer(
                    agreement, number, **{field: _remote_value(field, value)}
                )
        for which in archive:
            customer = Customer.objects.for_tenant(tenant).get(pk=by_number[numbers[which]].pk)
            archive_customer(customer)
        for i in range(new_here):
            create_customer(tenant=tenant, name=f"Ny lokal kunde {n}-{i}", email=f"ny{i}@lokal.dk")
        for i in range(new_there):
            with simulator.store.lock:
                place = simulator.store.agreement(agreement)
                number = place.next_customer_number()
            seed_customers(simulator.store, agreement, 1, start=number)
            simulator.store.edit_customer(agreement, number, name=f"Ny fjern kunde {n}-{i}")
        for kind, method, times in faults:
            simulator.inject(kind, method=method, times=times, retry_after=1, delay=0.0)

        rounds = 0
        while True:
            rounds += 1
            assert rounds <= 12, "the sync never became quiet"
            if rounds == 4:
                simulator.store.clear_faults()
            report = sync.sync(wired.connection, full=rounds % 3 == 0)
            clock.advance(timedelta(hours=2))  # past any backoff
            if report.quiet and rounds > 1:
                break

    remote = simulator.customers(agreement)
    final_links = list(CustomerLink.objects.for_tenant(tenant).select_related("customer"))
    customers = list(Customer.objects.for_tenant(tenant))
    # No duplicates: one local customer per e-conomic customer and the other way round.
    assert len(final_links) == len(customers) == len(remote)
    assert {link.customer_number for link in final_links} == set(remote)
    remote_names = [str(c["name"]) for c in remote.values() if str(c["name"]).startswith("Ny ")]
    assert len(remote_names) == len(set(remote_names))
    # Equal on both sides.
    for link in final_links:
        link.customer.tenant = tenant
        theirs = from_economic(remote[link.customer_number])
        ours = local_fields(link.customer)
        assert ours == theirs, link.customer_number
        if link.customer.is_archived:
            assert theirs.get("barred") is True
    # Nothing lost except as a conflict.
    conflicts = list(Conflict.objects.for_tenant(tenant).select_related("customer"))
    final = {
        link.customer_number: from_economic(remote[link.customer_number]) for link in final_links
    }
    for (side, number, field), value in last.items():
        wanted = normalise(field, _remote_value(field, value))
        if final[number].get(field) == wanted or initial[number].get(field) == wanted:
            continue  # kept, or no edit at all (set to what it already was)
        recorded = any(
            c.customer.customer_number == number
            and c.field == field
            and normalise(field, c.values.get(side)) == wanted
            for c in conflicts
        )
        assert recorded, (side, number, field, wanted, final[number].get(field))
