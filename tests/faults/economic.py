"""e-conomic misbehaving: a transport that tampers with the simulator's answers, a client
with small pages (so five customers span three pages), and a raw snapshot of everything
the sync may write locally."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from django.db import connection

from budstikke.customers.models import Customer, NameToken
from budstikke.economic import sync
from budstikke.economic.client import EconomicClient, Json
from budstikke.economic.models import Conflict, Connection, CustomerLink, HookCall, Push
from budstikke.economic.simulator import SIMULATOR_APP_SECRET, Simulator
from budstikke.economic.testing import BASE
from budstikke.tenants.models import Tenant

PAGE_SIZE = 2
Forward = Callable[[httpx.Request], httpx.Response]
Rule = Callable[[httpx.Request, Forward], httpx.Response | None]


class Tamper(httpx.BaseTransport):
    """Passes requests to the simulator unless `rule` answers (or raises) instead."""

    def __init__(self, simulator: Simulator) -> None:
        self.inner = simulator.transport()
        self.rule: Rule | None = None
        self.requests: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}?{request.url.query.decode()}")
        if self.rule is not None:
            answer = self.rule(request, self._forward)
            if answer is not None:
                return answer
        return self._forward(request)

    def _forward(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        return response


class SmallPages(EconomicClient):
    """Pages of PAGE_SIZE customers, so a handful of customers needs several pages."""

    def iter_customers(
        self, *, filter: str | None = None, sort: str | None = None, page_size: int = PAGE_SIZE
    ) -> Iterator[Json]:
        return super().iter_customers(filter=filter, sort=sort, page_size=min(page_size, PAGE_SIZE))


@contextmanager
def tampered_economic(simulator: Simulator) -> Iterator[Tamper]:
    tamper = Tamper(simulator)

    def factory(connection: Connection) -> EconomicClient:
        return SmallPages(
            connection.grant_token or "",
            app_secret_token=SIMULATOR_APP_SECRET,
            base_url=BASE,
            transport=tamper,
            sleep=lambda seconds: None,
            jitter=lambda: 0.5,
        )

    with sync.using_clients(factory):
        yield tamper


def page_index(request: httpx.Request) -> int | None:
    """Which page of a customer listing a request asks for (None: not a listing)."""
    if request.method != "GET" or request.url.path.rstrip("/") != "/customers":
        return None
    return int(request.url.params.get("skippages", "0"))


def answer(request: httpx.Request, status: int, body: bytes, content_type: str) -> httpx.Response:
    return httpx.Response(
        status, content=body, headers={"Content-Type": content_type}, request=request
    )


def local_state(tenant: Tenant) -> dict[str, Any]:
    """Every row the sync may write for `tenant`, as stored (ciphertext, blind indexes, sync
    state, timestamps), read with raw SQL so no field decrypts or normalises anything."""
    state: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for model in (Customer, NameToken, CustomerLink, Push, Conflict, HookCall):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table} WHERE tenant_id = %s", [tenant.pk])  # noqa: S608
            columns = [column[0] for column in cursor.description]
            rows = [dict(zip(columns, map(_plain, row), strict=True)) for row in cursor.fetchall()]
            state[model.__name__] = sorted(rows, key=repr)
        table = connection.ops.quote_name(Connection._meta.db_table)
        cursor.execute(
            f"SELECT cursor, highest_number, last_full_sync_at, status FROM {table} "  # noqa: S608
            "WHERE tenant_id = %s",
            [tenant.pk],
        )
        state["Connection"] = [tuple(map(_plain, row)) for row in cursor.fetchall()]
    return state


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value
