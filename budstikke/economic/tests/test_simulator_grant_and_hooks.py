"""The request-access page, customer-updated web hooks, and fault switches over HTTP."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from budstikke.economic.client import EconomicClient, grant_url
from budstikke.economic.errors import NotConfiguredError
from budstikke.economic.simulator import SIMULATOR_APP_PUBLIC, SIMULATOR_APP_SECRET, Simulator
from budstikke.economic.simulator.store import DEFAULT_AGREEMENT, Hook
from budstikke.economic.tests.conftest import BASE, customer

GRANT = "https://secure.e-conomic.com/secure/api1/requestaccess.aspx"


def test_approving_access_redirects_back_with_a_working_token(simulator: Simulator) -> None:
    browser = httpx.Client(transport=simulator.transport())
    back = "https://budstikke.example/economic/callback?state=abc"
    page = browser.get(GRANT, params={"appPublicToken": SIMULATOR_APP_PUBLIC, "redirectUrl": back})
    assert page.status_code == 200
    assert 'name="approve"' in page.text
    approved = browser.post(
        GRANT,
        data={"appPublicToken": SIMULATOR_APP_PUBLIC, "redirectUrl": back, "approve": "1"},
    )
    assert approved.status_code == 302
    location = urlsplit(approved.headers["Location"])
    assert location.netloc == "budstikke.example"
    query = parse_qs(location.query)
    assert query["state"] == ["abc"]
    client = EconomicClient(
        query["token"][0],
        app_secret_token=SIMULATOR_APP_SECRET,
        base_url=BASE,
        transport=simulator.transport(),
    )
    assert client.get_self()["agreementNumber"] == DEFAULT_AGREEMENT


def test_an_unknown_app_gets_no_page(simulator: Simulator) -> None:
    browser = httpx.Client(transport=simulator.transport())
    page = browser.get(GRANT, params={"appPublicToken": "nope", "redirectUrl": "https://x.example"})
    assert page.status_code == 400


def test_a_grant_token_opens_only_its_own_agreement(simulator: Simulator) -> None:
    ours = EconomicClient(
        simulator.grant(),
        app_secret_token=SIMULATOR_APP_SECRET,
        base_url=BASE,
        transport=simulator.transport(),
    )
    theirs = EconomicClient(
        simulator.grant(agreement=2_000_002),
        app_secret_token=SIMULATOR_APP_SECRET,
        base_url=BASE,
        transport=simulator.transport(),
    )
    ours.create_customer(customer())
    assert theirs.list_customers() == []


def test_customer_changes_queue_one_hook_call_each(simulator: Simulator) -> None:
    simulator.store.agreement(DEFAULT_AGREEMENT).hooks.append(
        Hook("https://budstikke.example/hooks/economic/s3cret?old=[OLDNUMBER]&new=[NEWNUMBER]")
    )
    client = EconomicClient(
        simulator.grant(),
        app_secret_token=SIMULATOR_APP_SECRET,
        base_url=BASE,
        transport=simulator.transport(),
    )
    number = client.create_customer(customer())["customerNumber"]
    client.update_customer(number, {"city": "Vejle"})
    simulator.store.renumber_customer(DEFAULT_AGREEMENT, number, 900)
    client.delete_customer(900)
    calls: list[tuple[str, str]] = []
    assert simulator.store.deliver_webhooks(lambda method, url: calls.append((method, url))) == 4
    assert [parse_qs(urlsplit(url).query) for _method, url in calls] == [
        {"old": [str(number)], "new": [str(number)]},
        {"old": [str(number)], "new": [str(number)]},
        {"old": [str(number)], "new": ["900"]},
        {"old": ["900"], "new": ["900"]},
    ]
    assert {method for method, _url in calls} == {"POST"}


def test_a_failed_hook_call_is_tried_again_later(simulator: Simulator) -> None:
    simulator.store.agreement(DEFAULT_AGREEMENT).hooks.append(Hook("https://x.example/[NEWNUMBER]"))
    simulator.store.customer_changed(simulator.store.agreement(DEFAULT_AGREEMENT), 1, 1)

    def down(method: str, url: str) -> None:
        raise httpx.ConnectError("down")

    assert simulator.store.deliver_webhooks(down) == 0
    delivered: list[str] = []
    assert simulator.store.deliver_webhooks(lambda m, u: delivered.append(u)) == 1
    assert delivered == ["https://x.example/1"]


def test_faults_and_hooks_are_switched_over_http(simulator: Simulator) -> None:
    admin = httpx.Client(transport=simulator.transport(), base_url=BASE)
    added = admin.post("/__simulator__/faults", json={"kind": "rate_limit", "retry_after": 2})
    assert added.status_code == 201
    assert admin.get("/__simulator__/faults").json()[0]["kind"] == "rate_limit"
    token = admin.post("/__simulator__/grants", json={}).json()["token"]
    headers = {"X-AppSecretToken": SIMULATOR_APP_SECRET, "X-AgreementGrantToken": token}
    limited = admin.get("/self", headers=headers)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "2"
    assert admin.get("/self", headers=headers).status_code == 200
    admin.post("/__simulator__/faults", json={"kind": "server_error", "times": None})
    assert admin.delete("/__simulator__/faults").status_code == 204
    assert admin.get("/self", headers=headers).status_code == 200
    assert admin.post("/__simulator__/faults", json={"kind": "explode"}).status_code == 400
    hook = {"url": "http://127.0.0.1:1/[NEWNUMBER]", "method": "get"}
    assert admin.put(
        f"/__simulator__/agreements/{DEFAULT_AGREEMENT}/webhooks", json=hook
    ).json() == [{"url": "http://127.0.0.1:1/[NEWNUMBER]", "method": "GET"}]


def test_grant_url_opens_the_request_access_page(simulator: Simulator, settings: Any) -> None:
    settings.ECONOMIC_APP_PUBLIC_TOKEN = SIMULATOR_APP_PUBLIC
    settings.ECONOMIC_GRANT_URL = GRANT
    url = grant_url("https://budstikke.example/economic/callback")
    assert url.startswith(f"{GRANT}?appPublicToken={SIMULATOR_APP_PUBLIC}&redirectUrl=https")
    page = httpx.Client(transport=simulator.transport()).get(url)
    assert page.status_code == 200
    assert "https://budstikke.example/economic/callback" in page.text


def test_grant_url_needs_the_public_token(settings: Any) -> None:
    settings.ECONOMIC_APP_PUBLIC_TOKEN = None
    with pytest.raises(NotConfiguredError):
        grant_url("https://budstikke.example/economic/callback")
