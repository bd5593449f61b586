"""Test and benchmark support: a tenant connected to an in-process simulator, no sleeping."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from budstikke.economic import actions, sync
from budstikke.economic.client import EconomicClient
from budstikke.economic.models import Connection
from budstikke.economic.simulator import DEFAULT_AGREEMENT, SIMULATOR_APP_SECRET, Simulator
from budstikke.tenants.models import Tenant

BASE = "https://restapi.e-conomic.com"


@dataclass
class Wired:
    simulator: Simulator
    connection: Connection
    agreement: int

    def customers(self) -> dict[int, dict[str, object]]:
        return self.simulator.customers(self.agreement)


@contextmanager
def simulated_economic(simulator: Simulator | None = None) -> Iterator[Simulator]:
    """Every client the sync engine opens talks to `simulator` in-process and never sleeps."""
    simulator = simulator or Simulator(base_url=BASE)

    def factory(connection: Connection) -> EconomicClient:
        return EconomicClient(
            connection.grant_token or "",
            app_secret_token=SIMULATOR_APP_SECRET,
            base_url=BASE,
            transport=simulator.transport(),
            sleep=lambda seconds: None,
            jitter=lambda: 0.5,
        )

    with sync.using_clients(factory):
        yield simulator


def connect(tenant: Tenant, simulator: Simulator, agreement: int = DEFAULT_AGREEMENT) -> Wired:
    token = simulator.grant(agreement)
    connection = actions.store_grant(
        tenant, token, agreement_number=agreement, company_name="Simuleret Kurer ApS"
    )
    return Wired(simulator, connection, agreement)
