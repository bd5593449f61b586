"""Writes: PUT replaces the whole customer, nothing null is sent, a lost POST never duplicates."""

from __future__ import annotations

import json

import httpx
import pytest

from budstikke.economic.client import EconomicClient, writable
from budstikke.economic.errors import InvalidDataError, OutcomeUnknownError
from budstikke.economic.simulator import SIMULATOR_APP_SECRET, Simulator
from budstikke.economic.tests.conftest import BASE, customer


def test_update_keeps_every_field_it_was_not_asked_to_change(economic: EconomicClient) -> None:
    created = economic.create_customer(
        customer(email="ordre@fragt.dk", city="Odense C", creditLimit=5000, barred=True)
    )
    updated = economic.update_customer(created["customerNumber"], {"city": "Vejle"})
    assert updated["city"] == "Vejle"
    assert updated["email"] == "ordre@fragt.dk"
    assert updated["creditLimit"] == 5000
    assert updated["barred"] is True


def test_replace_clears_what_it_leaves_out(economic: EconomicClient) -> None:
    created = economic.create_customer(customer(email="ordre@fragt.dk", city="Odense C"))
    replaced = economic.replace_customer(created["customerNumber"], customer(city="Odense C"))
    assert "email" not in replaced
    assert economic.get_customer(created["customerNumber"])["city"] == "Odense C"


def test_clearing_a_field_or_unbarring_sends_no_null_and_no_false(simulator: Simulator) -> None:
    bodies: list[dict[str, object]] = []

    def spy(request: httpx.Request) -> httpx.Response:
        if request.method in ("POST", "PUT"):
            bodies.append(json.loads(request.content))
        return simulator.transport().handle_request(request)

    client = EconomicClient(
        simulator.grant(),
        app_secret_token=SIMULATOR_APP_SECRET,
        base_url=BASE,
        transport=httpx.MockTransport(spy),
    )
    created = client.create_customer(customer(email="a@fragt.dk", barred=True, website=None))
    updated = client.update_customer(created["customerNumber"], {"email": None, "barred": False})
    assert "email" not in updated
    assert "barred" not in updated
    text = json.dumps(bodies)
    assert "null" not in text
    assert "false" not in text
    assert "balance" not in bodies[-1]
    assert "self" not in bodies[-1]


def test_writable_drops_read_only_fields_nulls_and_false() -> None:
    body = writable({"name": "X", "barred": False, "email": None, "balance": 3, "self": "u"})
    assert body == {"name": "X"}


def test_a_post_lost_after_the_server_saved_it_creates_no_duplicate(
    simulator: Simulator, economic: EconomicClient
) -> None:
    simulator.inject("drop_after_commit", method="POST", path="/customers")
    created = economic.create_customer(customer(corporateIdentificationNumber="12345678"))
    assert len(simulator.customers()) == 1
    assert created["corporateIdentificationNumber"] == "12345678"


def test_a_post_lost_before_the_server_saved_it_is_sent_again(
    simulator: Simulator, economic: EconomicClient
) -> None:
    simulator.inject("drop_before_commit", method="POST", path="/customers")
    economic.create_customer(customer(email="ordre@fragt.dk"))
    assert [c["email"] for c in simulator.customers().values()] == ["ordre@fragt.dk"]


def test_a_chosen_customer_number_survives_a_lost_answer(
    simulator: Simulator, economic: EconomicClient
) -> None:
    simulator.inject("server_error", method="POST")
    simulator.inject("drop_after_commit", method="POST")
    created = economic.create_customer(customer(customerNumber=4711))
    assert created["customerNumber"] == 4711
    assert list(simulator.customers()) == [4711]


def test_without_anything_to_search_by_an_unknown_outcome_is_raised(
    simulator: Simulator, economic: EconomicClient
) -> None:
    simulator.inject("drop_after_commit", method="POST")
    with pytest.raises(OutcomeUnknownError):
        economic.create_customer(customer())
    assert len(simulator.customers()) == 1


def test_validation_errors_name_the_field(economic: EconomicClient) -> None:
    with pytest.raises(InvalidDataError) as caught:
        economic.create_customer(customer(currency="ZUL"))
    error = caught.value
    assert error.status == 400
    assert error.log_id
    assert error.field_errors == {"currency": ["currency does not exist."]}


def test_deleting_twice_is_harmless(economic: EconomicClient) -> None:
    number = economic.create_customer(customer())["customerNumber"]
    assert economic.delete_customer(number) is True
    assert economic.delete_customer(number) is False


def test_draft_invoices_and_products(simulator: Simulator, economic: EconomicClient) -> None:
    number = economic.create_customer(customer())["customerNumber"]
    raw = httpx.Client(transport=simulator.transport(), base_url=BASE)
    token = simulator.grant()
    headers = {"X-AppSecretToken": SIMULATOR_APP_SECRET, "X-AgreementGrantToken": token}
    product = {"productNumber": "50", "name": "Levering", "productGroup": {"productGroupNumber": 1}}
    assert raw.post("/products", json=product, headers=headers).status_code == 201
    assert [p["productNumber"] for p in economic.list_products()] == ["50"]
    draft = economic.create_draft_invoice(
        {
            "date": "2026-05-01",
            "currency": "DKK",
            "customer": {"customerNumber": number},
            "paymentTerms": {"paymentTermsNumber": 1},
            "layout": {"layoutNumber": 5},
            "recipient": {"name": "Fragt & Co ApS", "vatZone": {"vatZoneNumber": 1}},
            "references": {"other": "batch-2026-05"},
            "lines": [
                {
                    "product": {"productNumber": "50"},
                    "description": "Levering #1",
                    "quantity": 2,
                    "unitNetPrice": 10.5,
                }
            ],
        }
    )
    assert draft["netAmount"] == 21.0
    assert draft["grossAmount"] == 26.25
