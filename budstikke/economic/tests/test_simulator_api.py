"""The simulator answers as e-conomic does, so tests against it mean something."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from budstikke.core.clock import ClockControl
from budstikke.economic.simulator import Simulator
from budstikke.economic.simulator.store import DEFAULT_AGREEMENT, seed_customers
from budstikke.economic.tests.conftest import BASE, customer

Send = Callable[..., httpx.Response]


def test_requests_without_valid_tokens_are_401(simulator: Simulator) -> None:
    http = httpx.Client(transport=simulator.transport(), base_url=BASE)
    assert http.get("/self").status_code == 401
    bad = {"X-AppSecretToken": "nope", "X-AgreementGrantToken": simulator.grant()}
    response = http.get("/customers", headers=bad)
    assert response.status_code == 401
    assert set(response.json()) >= {"message", "developerHint", "logId", "httpStatusCode"}


def test_demo_tokens_read_but_never_write(simulator: Simulator) -> None:
    http = httpx.Client(transport=simulator.transport(), base_url=BASE)
    demo = {"X-AppSecretToken": "demo", "X-AgreementGrantToken": "demo"}
    listing = http.get("/customers", headers=demo)
    assert listing.status_code == 200
    assert listing.json()["collection"]
    assert http.post("/customers", json=customer(), headers=demo).status_code == 403


def test_post_requires_the_five_fields_with_errors_per_field(raw: Send) -> None:
    response = raw("POST", "/customers", json={"email": "a@b.dk"})
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Validation error."
    assert body["httpStatusCode"] == 400
    assert set(body["errors"]) == {"currency", "customerGroup", "name", "paymentTerms", "vatZone"}
    assert body["errors"]["name"]["errors"][0]["errorCode"]


def test_created_customers_answer_201_with_location_and_links(raw: Send) -> None:
    response = raw("POST", "/customers", json=customer(customerNumber=974994345))
    assert response.status_code == 201
    created = response.json()
    assert response.headers["Location"] == f"{BASE}/customers/974994345"
    assert created["self"] == f"{BASE}/customers/974994345"
    assert created["paymentTerms"] == {
        "paymentTermsNumber": 1,
        "self": f"{BASE}/payment-terms/1",
    }
    assert created["metaData"]["replace"]["httpMethod"] == "put"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created["lastUpdated"])


def test_references_may_be_given_as_self_links(raw: Send) -> None:
    body = customer(vatZone={"self": f"{BASE}/vat-zones/2"})
    assert raw("POST", "/customers", json=body).json()["vatZone"]["vatZoneNumber"] == 2


def test_null_is_rejected(raw: Send) -> None:
    response = raw("POST", "/customers", json=customer(email=None))
    assert response.status_code == 400
    assert "email" in response.json()["errors"]


def test_put_replaces_the_whole_customer(raw: Send) -> None:
    number = raw("POST", "/customers", json=customer(email="a@b.dk", city="Vejle")).json()[
        "customerNumber"
    ]
    replaced = raw("PUT", f"/customers/{number}", json=customer(name="Nyt navn"))
    assert replaced.status_code == 200
    assert replaced.json()["name"] == "Nyt navn"
    assert "email" not in raw("GET", f"/customers/{number}").json()
    incomplete = raw("PUT", f"/customers/{number}", json={"name": "Kun navn"})
    assert incomplete.status_code == 400


def test_there_is_no_patch(raw: Send) -> None:
    number = raw("POST", "/customers", json=customer()).json()["customerNumber"]
    response = raw("PATCH", f"/customers/{number}", json={"name": "x"})
    assert response.status_code == 405
    assert response.json()["httpStatusCode"] == 405


def test_false_booleans_are_left_out(raw: Send) -> None:
    number = raw("POST", "/customers", json=customer(barred=True)).json()["customerNumber"]
    assert raw("GET", f"/customers/{number}").json()["barred"] is True
    unbarred = raw("PUT", f"/customers/{number}", json=customer(barred=False)).json()
    assert "barred" not in unbarred


def test_delete_answers_204_then_404(raw: Send) -> None:
    number = raw("POST", "/customers", json=customer()).json()["customerNumber"]
    deleted = raw("DELETE", f"/customers/{number}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    missing = raw("GET", f"/customers/{number}")
    assert missing.status_code == 404
    assert missing.json()["message"] == "Resource not found."


def test_writes_need_json(raw: Send) -> None:
    response = raw("POST", "/customers", content=b"name=x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_pagination_links_are_absolute_and_keep_filter_and_sort(
    simulator: Simulator, raw: Send
) -> None:
    seed_customers(simulator.store, DEFAULT_AGREEMENT, 45)
    first = raw(
        "GET",
        "/customers",
        params={"pagesize": 20, "filter": "customerNumber$gt:0", "sort": "-name"},
    ).json()
    pagination = first["pagination"]
    assert len(first["collection"]) == 20
    assert pagination["results"] == 45
    assert pagination["maxPageSizeAllowed"] == 1000
    assert pagination["nextPage"].startswith(f"{BASE}/customers?skippages=1&pagesize=20")
    assert "filter=customerNumber%24gt%3A0" in pagination["nextPage"]
    assert "sort=-name" in pagination["nextPage"]
    assert "skippages=2" in pagination["lastPage"]
    assert "previousPage" not in pagination
    last = raw("GET", pagination["lastPage"]).json()
    assert len(last["collection"]) == 5
    assert "nextPage" not in last["pagination"]
    assert "previousPage" in last["pagination"]


def test_page_size_is_at_most_1000(raw: Send) -> None:
    assert raw("GET", "/customers", params={"pagesize": 1001}).status_code == 400
    assert raw("GET", "/customers", params={"pagesize": 1000}).status_code == 200


def test_default_page_size_is_20(simulator: Simulator, raw: Send) -> None:
    seed_customers(simulator.store, DEFAULT_AGREEMENT, 25)
    assert len(raw("GET", "/customers").json()["collection"]) == 20


def test_mobile_phone_cannot_be_filtered(raw: Send) -> None:
    response = raw("GET", "/customers", params={"filter": "mobilePhone$eq:+4520000000"})
    assert response.status_code == 400
    assert "mobilePhone" in response.json()["message"]


def test_barred_cannot_be_sorted(raw: Send) -> None:
    assert raw("GET", "/customers", params={"sort": "barred"}).status_code == 400


def test_last_updated_filter_must_use_z(
    simulator: Simulator, raw: Send, clock: type[ClockControl]
) -> None:
    clock.freeze(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    seed_customers(simulator.store, DEFAULT_AGREEMENT, 2)
    good = raw("GET", "/customers", params={"filter": "lastUpdated$gte:2026-01-02T03:04:05Z"})
    assert good.json()["pagination"]["results"] == 2
    later = raw("GET", "/customers", params={"filter": "lastUpdated$gt:2026-01-02T03:04:05Z"})
    assert later.json()["pagination"]["results"] == 0
    offset = raw(
        "GET", "/customers", params={"filter": "lastUpdated$gte:2026-01-02T03:04:05+00:00"}
    )
    assert offset.status_code == 400


def test_self_describes_the_agreement(raw: Send) -> None:
    me = raw("GET", "/self").json()
    assert me["agreementNumber"] == DEFAULT_AGREEMENT
    assert me["company"]["name"]
    assert me["self"] == f"{BASE}/self"


def test_product_numbers_are_escaped_in_links(raw: Send) -> None:
    product = {
        "productNumber": "a b_c.1/2",
        "name": "Pakke",
        "productGroup": {"productGroupNumber": 1},
    }
    created = raw("POST", "/products", json=product).json()
    assert created["self"] == f"{BASE}/products/a_9_b_8_c_11_1_6_2"
    assert raw("GET", "/products/a_9_b_8_c_11_1_6_2").json()["name"] == "Pakke"


def test_draft_lines_report_errors_by_array_index(raw: Send) -> None:
    number = raw("POST", "/customers", json=customer()).json()["customerNumber"]
    draft = {
        "date": "2026-05-01",
        "currency": "DKK",
        "customer": {"customerNumber": number},
        "paymentTerms": {"paymentTermsNumber": 1},
        "layout": {"layoutNumber": 5},
        "recipient": {"name": "X", "vatZone": {"vatZoneNumber": 1}},
        "lines": [
            {"description": "ok", "quantity": 1, "unitNetPrice": 1.0},
            {"description": "bad", "quantity": 1, "unitNetPrice": 1.005},
        ],
    }
    response = raw("POST", "/invoices/drafts", json=draft)
    assert response.status_code == 400
    line = response.json()["errors"]["lines"][0]
    assert line["arrayIndex"] == 1
    assert line["unitNetPrice"]["errors"][0]["errorCode"] == "E04740"


@pytest.mark.parametrize("kind", ["drop_before_commit", "drop_after_commit"])
def test_dropped_connections_commit_only_after(simulator: Simulator, raw: Send, kind: str) -> None:
    simulator.inject(kind, method="POST")
    with pytest.raises(httpx.RemoteProtocolError):
        raw("POST", "/customers", json=customer())
    assert len(simulator.customers()) == (1 if kind == "drop_after_commit" else 0)


def test_slow_responses_pause(raw: Send) -> None:
    pauses: list[float] = []
    simulator = Simulator(sleep=pauses.append)
    simulator.inject("slow", delay=2.5)
    http = httpx.Client(transport=simulator.transport(), base_url=BASE)
    http.get("/self")
    assert pauses == [2.5]
