"""e-conomic answering garbage — not JSON, HTML error pages (200 and 502), a listing cut
short (a body cut mid-JSON, a next page that is gone), collections of the wrong shape,
timeouts — gives the tenant admin a clear sync error and changes no local row: not a
customer field, not its ciphertext or blind indexes, not its sync state, link, cursor.

In-process and quick (part of `make test`): the simulator answers, a tampering transport
corrupts what the sync reads, and five customers span three pages.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from django.test import Client

from budstikke.customers.models import Customer
from budstikke.economic import actions, sync
from budstikke.economic.models import Connection, HookCall
from budstikke.economic.simulator import DEFAULT_AGREEMENT, Simulator
from budstikke.economic.simulator.store import seed_customers
from budstikke.economic.testing import BASE, connect
from budstikke.tenants.testing import Personas
from tests.faults.economic import (
    Forward,
    Rule,
    Tamper,
    answer,
    local_state,
    page_index,
    tampered_economic,
)

pytestmark = pytest.mark.django_db

CANT_READ = "e-conomic sent an answer Budstikke could not read, so nothing was changed."
INTERNAL = "e-conomic had an internal error. Syncing will try again later."
UNREACHABLE = "e-conomic could not be reached. Syncing will try again later."
HTML_PAGE = b"<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>"


@dataclass
class Scene:
    simulator: Simulator
    tamper: Tamper
    connection: Connection
    personas: Personas

    def city(self, number: int) -> str:
        customer = Customer.objects.for_tenant(self.personas.tenant_a).get(customer_number=number)
        return str(customer.city)


@pytest.fixture
def scene(personas: Personas) -> Iterator[Scene]:
    """Five customers synced once; then e-conomic changes the first and the last, so a pull
    that worked would change local rows on page 1 and page 3."""
    simulator = Simulator(base_url=BASE)
    seed_customers(simulator.store, DEFAULT_AGREEMENT, 5)
    with tampered_economic(simulator) as tamper:
        wired = connect(personas.tenant_a, simulator)
        assert not sync.sync(wired.connection).errors
        for number in (1, 5):
            simulator.store.edit_customer(DEFAULT_AGREEMENT, number, city="Vejle")
        yield Scene(simulator, tamper, wired.connection, personas)


def _on_page(page: int, make: Rule) -> Rule:
    def rule(request: httpx.Request, forward: Forward) -> httpx.Response | None:
        return make(request, forward) if page_index(request) == page else None

    return rule


def _not_json(request: httpx.Request, forward: Forward) -> httpx.Response:
    return answer(request, 200, b"\x00\xffcustomers: 1, 2, {]", "application/json")


def _html_200(request: httpx.Request, forward: Forward) -> httpx.Response:
    return answer(request, 200, HTML_PAGE, "text/html; charset=utf-8")


def _html_502(request: httpx.Request, forward: Forward) -> httpx.Response:
    return answer(request, 502, b"<html><body>502 Bad Gateway</body></html>", "text/html")


def _cut_mid_json(request: httpx.Request, forward: Forward) -> httpx.Response:
    whole = forward(request).content
    return answer(request, 200, whole[: len(whole) // 2], "application/json; charset=utf-8")


def _gone(request: httpx.Request, forward: Forward) -> httpx.Response:
    body = {"message": "Resource not found.", "httpStatusCode": 404, "logId": "x"}
    return answer(request, 404, json.dumps(body).encode(), "application/json")


def _json_list(request: httpx.Request, forward: Forward) -> httpx.Response:
    return answer(request, 200, b"[1, 2, 3]", "application/json")


def _collection_not_a_list(request: httpx.Request, forward: Forward) -> httpx.Response:
    body = {"collection": {"customerNumber": 1, "name": "X"}, "pagination": {}}
    return answer(request, 200, json.dumps(body).encode(), "application/json")


def _customer_without_number(request: httpx.Request, forward: Forward) -> httpx.Response:
    page = forward(request).json()
    page["collection"][0]["customerNumber"] = "one"
    return answer(request, 200, json.dumps(page).encode(), "application/json")


def _timeout(request: httpx.Request, forward: Forward) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


FAULTS: dict[str, tuple[Rule, str]] = {
    "not JSON": (_on_page(0, _not_json), CANT_READ),
    "HTML page with 200": (_on_page(0, _html_200), CANT_READ),
    "HTML page with 502": (_on_page(0, _html_502), INTERNAL),
    "page 2 cut mid-JSON": (_on_page(1, _cut_mid_json), CANT_READ),
    "page 3 gone (404)": (_on_page(2, _gone), CANT_READ),
    "page 2 an HTML page": (_on_page(1, _html_200), CANT_READ),
    "a JSON list": (_on_page(0, _json_list), CANT_READ),
    "collection not a list": (_on_page(1, _collection_not_a_list), CANT_READ),
    "customerNumber not a number": (_on_page(2, _customer_without_number), CANT_READ),
    "timeouts": (_on_page(1, _timeout), UNREACHABLE),
}


@pytest.mark.parametrize("full", [False, True], ids=["incremental", "full"])
@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_garbled_answer_is_a_clear_error_and_changes_nothing_here(
    scene: Scene, alice_client: Client, fault: str, full: bool
) -> None:
    rule, message = FAULTS[fault]
    tenant = scene.personas.tenant_a
    before = local_state(tenant)
    scene.tamper.rule = rule

    report = sync.sync(scene.connection, full=full)

    assert report.errors, report.lines()
    assert local_state(tenant) == before
    page = alice_client.get("/tenant/economic/").content.decode()
    assert "Last problem" in page
    assert message in page
    assert "Traceback" not in page

    scene.tamper.rule = None  # e-conomic is itself again: the next round catches up
    assert not sync.sync(scene.connection, full=full).errors
    assert (scene.city(1), scene.city(5)) == ("Vejle", "Vejle")
    assert "Last problem" not in alice_client.get("/tenant/economic/").content.decode()


def test_the_worker_job_survives_garbage_and_records_it(scene: Scene) -> None:
    """The periodic job is where a sync runs: garbage must not escape it as a crash."""
    from budstikke.economic.tasks import sync_tenant

    scene.tamper.rule = _on_page(0, _html_200)
    before = local_state(scene.personas.tenant_a)
    sync_tenant.call_local(scene.personas.tenant_a.pk)
    scene.connection.refresh_from_db()
    assert scene.connection.last_error == "InvalidResponseError"
    assert local_state(scene.personas.tenant_a) == before


def test_a_garbled_customer_behind_a_web_hook_changes_nothing_and_stays_queued(
    scene: Scene,
) -> None:
    tenant = scene.personas.tenant_a

    def html_for_one_customer(request: httpx.Request, forward: Forward) -> httpx.Response | None:
        return _html_200(request, forward) if request.url.path == "/customers/5" else None

    scene.tamper.rule = html_for_one_customer
    assert actions.queue_hook_call(scene.connection, 5, 5)  # runs the job at once in tests
    assert scene.city(5) != "Vejle"
    call = HookCall.objects.for_tenant(tenant).get()
    assert call.processed_at is None  # tried again at the next round
    scene.tamper.rule = None
    engine = sync.Engine(scene.connection, sync.client_for(scene.connection))
    engine.process_hooks()
    assert scene.city(5) == "Vejle"


def test_at_scale_pages_before_a_cut_are_merged_but_the_cursor_and_deletions_wait(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large agreement is merged a batch (a page of 1000) at a time, so a listing cut on a
    later page has merged the good pages before it — e-conomic's own data, merged exactly as
    the next complete round would merge it. Nothing of the bad page is used, the cursor does
    not move, and no customer is archived for being missing from a partial listing."""
    monkeypatch.setattr(sync, "BATCH", 2)  # a batch per page, as with 1000-customer pages
    tenant = scene.personas.tenant_a
    cursor = Connection.objects.for_tenant(tenant).values_list("cursor", flat=True).get()
    scene.tamper.rule = _on_page(1, _cut_mid_json)

    report = sync.sync(scene.connection, full=True)

    assert report.errors == ["InvalidResponseError"]
    assert scene.city(1) == "Vejle"  # page 1 was merged
    assert scene.city(5) != "Vejle"  # page 3 was never read
    assert Connection.objects.for_tenant(tenant).values_list("cursor", flat=True).get() == cursor
    assert not Customer.objects.for_tenant(tenant).filter(archived_at__isnull=False).exists()
