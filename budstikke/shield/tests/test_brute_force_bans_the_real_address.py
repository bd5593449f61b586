"""20 failed logins from 127.0.0.1 with a forged X-Forwarded-For ban 127.0.0.1, not the
forged address; from then on the address gets a cheap 403."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from budstikke.shield import selectors

pytestmark = pytest.mark.django_db


def _fail_login(client: Client, login: str = "nobody@example.test") -> Any:
    return client.post(
        reverse("account_login"),
        {"login": login, "password": "wrong password, long enough"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.50",
    )


def test_failed_logins_ban_the_connecting_address_not_the_forged_one(
    client: Client, django_assert_num_queries: Any
) -> None:
    statuses = [_fail_login(client).status_code for _ in range(20)]
    assert statuses[0] == 200  # the form again, with an error
    assert 403 not in statuses[:8]  # several failures are allowed before any ban
    assert statuses[-1] == 403
    assert selectors.active_ban_for("127.0.0.1") is not None
    assert selectors.active_ban_for("203.0.113.50") is None

    with django_assert_num_queries(0):
        refused = _fail_login(client)
    assert refused.status_code == 403
    assert len(refused.content) < 32
    assert not refused.cookies  # no session, no CSRF cookie


def test_one_failed_login_bans_nobody(client: Client) -> None:
    assert _fail_login(client).status_code == 200
    assert not selectors.active_bans().exists()


def test_a_username_naming_an_address_bans_nothing_there(client: Client) -> None:
    for _ in range(20):
        _fail_login(client, login="x from 203.0.113.9")
    assert selectors.active_ban_for("203.0.113.9") is None
    other = client.get("/", REMOTE_ADDR="203.0.113.9")
    assert other.status_code != 403
