"""Connecting e-conomic (grant flow), checking, disconnecting, conflicts and the web hook
receiver, as the admin, a dispatcher, an outsider and an anonymous caller."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from budstikke.customers.actions import create_customer
from budstikke.economic.models import Conflict, Connection, HookCall
from budstikke.economic.simulator import SIMULATOR_APP_PUBLIC, Simulator
from budstikke.economic.testing import BASE, connect, simulated_economic
from budstikke.shield.models import SecurityEvent
from budstikke.tenants.testing import Personas, outsider_test

pytestmark = pytest.mark.django_db


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    with simulated_economic(Simulator(base_url=BASE)) as simulator:
        yield simulator


def _state(location: str) -> str:
    back = parse_qs(urlsplit(location).query)["redirectUrl"][0]
    return parse_qs(urlsplit(back).query)["state"][0]


def test_connect_sends_the_admin_to_the_grant_page_and_the_callback_stores_the_token(
    alice_client: Client, personas: Personas, simulator: Simulator, settings: object
) -> None:
    settings.ECONOMIC_APP_PUBLIC_TOKEN = SIMULATOR_APP_PUBLIC  # type: ignore[attr-defined]
    response = alice_client.post("/tenant/economic/connect/")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    query = parse_qs(target.query)
    assert query["appPublicToken"] == [SIMULATOR_APP_PUBLIC]
    assert query["redirectUrl"][0].startswith("https://")
    token = simulator.grant()
    wrong = alice_client.get("/tenant/economic/callback/", {"state": "forged", "token": token})
    assert wrong.status_code == 302
    assert not Connection.objects.for_tenant(personas.tenant_a).exists()
    state = _state(alice_client.post("/tenant/economic/connect/")["Location"])
    done = alice_client.get("/tenant/economic/callback/", {"state": state, "token": token})
    assert done.status_code == 302
    connection = Connection.objects.for_tenant(personas.tenant_a).get()
    assert connection.grant_token == token
    assert connection.is_connected
    stored = Connection.objects.filter(pk=connection.pk).values_list("sealed", flat=True)
    assert token.encode() not in bytes(stored[0])
    page = alice_client.get("/tenant/economic/").content.decode()
    assert "Simuleret Kurer ApS" in page
    assert alice_client.post("/tenant/economic/check/").status_code == 302
    alice_client.post("/tenant/economic/disconnect/")
    connection.refresh_from_db()
    assert connection.grant_token is None
    assert not connection.is_connected


def test_a_refused_token_is_not_stored(
    alice_client: Client, personas: Personas, simulator: Simulator, settings: object
) -> None:
    settings.ECONOMIC_APP_PUBLIC_TOKEN = SIMULATOR_APP_PUBLIC  # type: ignore[attr-defined]
    state = _state(alice_client.post("/tenant/economic/connect/")["Location"])
    response = alice_client.get("/tenant/economic/callback/", {"state": state, "token": "made-up"})
    assert response.status_code == 302
    assert not Connection.objects.for_tenant(personas.tenant_a).exists()


def test_only_the_admin_manages_the_connection(bob_client: Client, personas: Personas) -> None:
    assert bob_client.get("/tenant/economic/").status_code == 403
    assert bob_client.post("/tenant/economic/connect/").status_code == 403


def test_the_web_hook_needs_the_secret_and_queues_each_call_once(
    client: Client, personas: Personas, simulator: Simulator
) -> None:
    wired = connect(personas.tenant_a, simulator)
    connection = wired.connection
    url = f"/tenant/economic/hooks/{connection.hook_id}/{connection.hook_secret}/"
    wrong = f"/tenant/economic/hooks/{connection.hook_id}/guess/"
    assert client.get(wrong, {"old": "1", "new": "1"}).status_code == 404
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.API_KEY_FAILED).exists()
    assert client.get(url, {"old": "x", "new": "1"}).status_code == 400
    assert client.post(url + "?old=7&new=7").status_code == 204
    assert HookCall.objects.for_tenant(personas.tenant_a).count() == 1


@outsider_test(
    "economic:settings",
    "economic:connect",
    "economic:callback",
    "economic:check",
    "economic:sync",
    "economic:disconnect",
    "economic:policy",
    "economic:conflict",
)
def test_an_outsider_cannot_touch_another_tenants_connection_or_conflicts(
    charlie_client: Client, personas: Personas, simulator: Simulator
) -> None:
    wired = connect(personas.tenant_a, simulator)
    customer = create_customer(tenant=personas.tenant_a, name="Fragt ApS")
    conflict = Conflict.objects.create(
        tenant=personas.tenant_a,
        customer=customer,
        field="email",
        winner="economic",
        reason="policy",
        values={"base": None, "economic": "a@b.dk", "budstikke": "c@d.dk"},
    )
    assert charlie_client.post(f"/tenant/economic/conflicts/{conflict.pk}/").status_code == 404
    # Charlie's own pages act on Beta Bud alone.
    assert "Simuleret" not in charlie_client.get("/tenant/economic/").content.decode()
    charlie_client.post("/tenant/economic/disconnect/")
    charlie_client.post("/tenant/economic/policy/", {"policy": "budstikke_wins"})
    charlie_client.post("/tenant/economic/sync/")
    charlie_client.post("/tenant/economic/check/")
    charlie_client.get("/tenant/economic/callback/", {"state": "x", "token": "y"})
    wired.connection.refresh_from_db()
    assert wired.connection.is_connected
    assert wired.connection.policy == "economic_wins"
    conflict.refresh_from_db()
    assert conflict.resolution == Conflict.Resolution.OPEN


def test_the_admin_reviews_a_conflict(
    alice_client: Client, bob_client: Client, personas: Personas
) -> None:
    customer = create_customer(tenant=personas.tenant_a, name="Fragt ApS")
    conflict = Conflict.objects.create(
        tenant=personas.tenant_a,
        customer=customer,
        field="city",
        winner="economic",
        reason="policy",
        values={"base": None, "economic": "Odense", "budstikke": "Vejle"},
    )
    page = alice_client.get(f"/tenant/customers/{customer.pk}/").content.decode()
    assert "Vejle" in page
    assert "Re-apply" in page
    assert bob_client.post(f"/tenant/economic/conflicts/{conflict.pk}/").status_code == 403
    alice_client.post(f"/tenant/economic/conflicts/{conflict.pk}/", {"action": "reapply"})
    customer.refresh_from_db()
    assert customer.city == "Vejle"
