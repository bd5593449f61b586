"""Collections: every page followed, and tokens never sent anywhere but e-conomic's host."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from budstikke.core.clock import ClockControl
from budstikke.economic.client import EconomicClient, filter_value, format_timestamp, updated_since
from budstikke.economic.errors import UnsafeLinkError
from budstikke.economic.simulator import SIMULATOR_APP_SECRET, Simulator
from budstikke.economic.simulator.store import DEFAULT_AGREEMENT, seed_customers
from budstikke.economic.tests.conftest import BASE


def test_it_follows_next_page_until_the_last(
    simulator: Simulator, economic: EconomicClient
) -> None:
    seed_customers(simulator.store, DEFAULT_AGREEMENT, 25)
    before = simulator.store.request_count
    numbers = [c["customerNumber"] for c in economic.iter_customers(page_size=10)]
    assert numbers == list(range(1, 26))
    assert simulator.store.request_count - before == 3


def test_it_keeps_filter_and_sort_across_pages(
    simulator: Simulator, economic: EconomicClient
) -> None:
    seed_customers(simulator.store, DEFAULT_AGREEMENT, 30)
    found = economic.list_customers(filter="city$eq:aarhus c", sort="-customerNumber", page_size=3)
    assert [c["customerNumber"] for c in found] == [29, 25, 21, 17, 13, 9, 5, 1]


def test_an_empty_collection_is_no_error(economic: EconomicClient) -> None:
    assert economic.list_customers(filter="name$eq:nobody") == []


def test_it_refuses_a_next_page_on_another_host(sleeps: list[float]) -> None:
    """A nextPage pointing elsewhere would carry the tokens there; the client stops instead."""
    simulator = Simulator(base_url="https://attacker.example")
    seed_customers(simulator.store, DEFAULT_AGREEMENT, 3)
    seen: list[str] = []

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url.host))
        return simulator.transport().handle_request(request)

    client = EconomicClient(
        simulator.grant(),
        app_secret_token=SIMULATOR_APP_SECRET,
        base_url=BASE,
        transport=httpx.MockTransport(spy),
        sleep=sleeps.append,
    )
    with pytest.raises(UnsafeLinkError):
        client.list_customers(page_size=1)
    assert seen == ["restapi.e-conomic.com"]


@pytest.mark.parametrize(
    "link",
    [
        "http://restapi.e-conomic.com/customers?skippages=1",
        "https://restapi.e-conomic.com:8443/customers?skippages=1",
        "https://restapi.e-conomic.com.evil.example/customers",
    ],
)
def test_it_refuses_links_that_only_look_like_the_api(economic: EconomicClient, link: str) -> None:
    with pytest.raises(UnsafeLinkError):
        economic.url(link)


def test_it_refuses_a_redirect(simulator: Simulator, economic: EconomicClient) -> None:
    simulator.inject("redirect", location="https://elsewhere.example/customers")
    with pytest.raises(UnsafeLinkError):
        economic.get_self()
    assert simulator.store.request_count == 1


def test_last_updated_filters_are_utc_seconds_with_z() -> None:
    copenhagen = timezone(timedelta(hours=2))
    moment = datetime(2026, 1, 2, 5, 4, 5, 987_654, tzinfo=copenhagen)
    assert format_timestamp(moment) == "2026-01-02T03:04:05Z"
    assert updated_since(moment) == "lastUpdated$gte:2026-01-02T03:04:05Z"
    with pytest.raises(ValueError, match="aware"):
        format_timestamp(datetime(2026, 1, 2))


def test_updated_since_finds_exactly_the_changed_customers(
    simulator: Simulator, economic: EconomicClient, clock: type[ClockControl]
) -> None:
    clock.freeze(datetime(2026, 3, 1, 12, tzinfo=UTC))
    seed_customers(simulator.store, DEFAULT_AGREEMENT, 5)
    clock.advance(timedelta(minutes=10))
    simulator.store.edit_customer(DEFAULT_AGREEMENT, 4, city="Vejle")
    since = datetime(2026, 3, 1, 12, 5, tzinfo=UTC)
    assert [c["customerNumber"] for c in economic.iter_customers(filter=updated_since(since))] == [
        4
    ]


def test_filter_values_are_escaped(simulator: Simulator, economic: EconomicClient) -> None:
    economic.create_customer(
        {
            "name": "A/S (Nord), *1*",
            "currency": "DKK",
            "customerGroup": {"customerGroupNumber": 1},
            "paymentTerms": {"paymentTermsNumber": 1},
            "vatZone": {"vatZoneNumber": 1},
        }
    )
    found = economic.list_customers(filter=f"name$eq:{filter_value('A/S (Nord), *1*')}")
    assert [c["name"] for c in found] == ["A/S (Nord), *1*"]
