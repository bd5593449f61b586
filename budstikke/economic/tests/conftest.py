"""A fresh simulator per test and clients that talk to it in-process without waiting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from budstikke.economic.client import EconomicClient
from budstikke.economic.simulator import SIMULATOR_APP_SECRET, Simulator

BASE = "https://restapi.e-conomic.com"
MinimalCustomer = dict[str, Any]


@pytest.fixture
def simulator() -> Simulator:
    return Simulator()


@pytest.fixture
def sleeps() -> list[float]:
    """Every pause the client asked for, instead of sleeping."""
    return []


@pytest.fixture
def economic(simulator: Simulator, sleeps: list[float]) -> Iterator[EconomicClient]:
    client = EconomicClient(
        simulator.grant(),
        app_secret_token=SIMULATOR_APP_SECRET,
        base_url=BASE,
        transport=simulator.transport(),
        sleep=sleeps.append,
        jitter=lambda: 0.5,
    )
    yield client
    client.close()


@pytest.fixture
def raw(simulator: Simulator) -> Iterator[Callable[..., httpx.Response]]:
    """Plain requests to the simulator with valid tokens (or the headers given)."""
    token = simulator.grant()
    http = httpx.Client(transport=simulator.transport(), base_url=BASE)

    def send(method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {
            "X-AppSecretToken": SIMULATOR_APP_SECRET,
            "X-AgreementGrantToken": token,
            "Content-Type": "application/json",
        } | kwargs.pop("headers", {})
        return http.request(method, path, headers=headers, **kwargs)

    yield send
    http.close()


def customer(**fields: Any) -> MinimalCustomer:
    """The least e-conomic accepts, plus `fields`."""
    return {
        "name": "Fragt & Co ApS",
        "currency": "DKK",
        "customerGroup": {"customerGroupNumber": 1},
        "paymentTerms": {"paymentTermsNumber": 1},
        "vatZone": {"vatZoneNumber": 1},
    } | fields
