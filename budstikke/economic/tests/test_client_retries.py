"""Retries: 429 and 5xx and network failures wait and retry; client errors never do."""

from __future__ import annotations

import httpx
import pytest

from budstikke.core.clock import ClockControl
from budstikke.economic.budget import CallBudget
from budstikke.economic.client import EconomicClient
from budstikke.economic.errors import (
    BudgetExhaustedError,
    InvalidDataError,
    NetworkError,
    RateLimitedError,
    ServerError,
    UnauthorizedError,
)
from budstikke.economic.simulator import SIMULATOR_APP_SECRET, Simulator
from budstikke.economic.tests.conftest import BASE, customer


def test_a_429_waits_as_long_as_retry_after_says(
    simulator: Simulator, economic: EconomicClient, sleeps: list[float]
) -> None:
    simulator.inject("rate_limit", retry_after=7, times=2)
    assert economic.get_self()["agreementNumber"]
    assert sleeps == [7.0, 7.0]


def test_a_429_for_longer_than_the_client_will_wait_is_raised(
    simulator: Simulator, economic: EconomicClient, sleeps: list[float]
) -> None:
    simulator.inject("rate_limit", retry_after=3600)
    with pytest.raises(RateLimitedError) as caught:
        economic.get_self()
    assert caught.value.retry_after == 3600
    assert sleeps == []


def test_a_500_is_retried_with_growing_pauses(
    simulator: Simulator, economic: EconomicClient, sleeps: list[float]
) -> None:
    simulator.inject("server_error", times=3)
    assert economic.get_self()
    assert sleeps == [0.75, 1.5, 3.0]  # 1, 2, 4 seconds with the jitter fixed at 0.75


def test_it_gives_up_after_the_last_attempt(simulator: Simulator, economic: EconomicClient) -> None:
    simulator.inject("server_error", times=None)
    with pytest.raises(ServerError):
        economic.get_self()
    assert simulator.store.request_count == 5


def test_a_400_is_never_retried(
    simulator: Simulator, economic: EconomicClient, sleeps: list[float]
) -> None:
    with pytest.raises(InvalidDataError):
        economic.create_customer(customer(name=""))
    assert simulator.store.request_count == 1
    assert sleeps == []


def test_a_401_is_never_retried(simulator: Simulator, sleeps: list[float]) -> None:
    client = EconomicClient(
        "not-a-grant",
        app_secret_token=SIMULATOR_APP_SECRET,
        base_url=BASE,
        transport=simulator.transport(),
        sleep=sleeps.append,
    )
    with pytest.raises(UnauthorizedError):
        client.get_self()
    assert simulator.store.request_count == 1
    assert sleeps == []


def test_a_dropped_connection_on_a_read_is_retried(
    simulator: Simulator, economic: EconomicClient
) -> None:
    simulator.inject("drop_before_commit", method="GET")
    assert economic.get_self()
    assert simulator.store.request_count == 2


def test_a_network_that_stays_down_is_reported(sleeps: list[float]) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = EconomicClient(
        "grant",
        app_secret_token="app",
        base_url=BASE,
        transport=httpx.MockTransport(refuse),
        sleep=sleeps.append,
        jitter=lambda: 0.0,
    )
    with pytest.raises(NetworkError):
        client.get_self()
    assert sleeps == [0.5, 1.0, 2.0, 4.0]


def test_it_refuses_calls_beyond_the_daily_budget(simulator: Simulator) -> None:
    token = simulator.grant()
    budget = CallBudget(f"test-{token[:12]}", limit=3)
    client = EconomicClient(
        token,
        app_secret_token=SIMULATOR_APP_SECRET,
        base_url=BASE,
        transport=simulator.transport(),
        budget=budget,
    )
    for _ in range(3):
        client.get_self()
    with pytest.raises(BudgetExhaustedError):
        client.get_self()
    assert simulator.store.request_count == 3
    assert budget.used() == 3


def test_the_budget_is_a_rolling_day(clock: type[ClockControl]) -> None:
    from datetime import UTC, datetime, timedelta

    clock.freeze(datetime(2026, 6, 1, 23, 30, tzinfo=UTC))
    budget = CallBudget("rolling-day-test-" + datetime.now(UTC).isoformat(), limit=2)
    budget.spend()
    budget.spend()
    clock.advance(timedelta(hours=1))  # past midnight: still the same 24 hours
    with pytest.raises(BudgetExhaustedError):
        budget.spend()
    clock.advance(timedelta(hours=24))
    budget.spend()
