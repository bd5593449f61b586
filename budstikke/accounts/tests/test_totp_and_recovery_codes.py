"""A TOTP code works once; each recovery code works once and never again."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from budstikke.accounts.testing import recovery_codes, totp_code

from .conftest import PASSWORD, Enrolled


def _password_step(client: Client, enrolled: Enrolled) -> None:
    response = client.post(
        reverse("account_login"), {"login": enrolled.user.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")


def _signed_in(client: Client) -> bool:
    return client.get("/accounts/email/").status_code == 200


def test_a_replayed_totp_code_is_refused(
    enrolled: Enrolled, new_client: Callable[[], Client]
) -> None:
    first, second = new_client(), new_client()
    code = totp_code(enrolled.secret)
    _password_step(first, enrolled)
    first.post(reverse("mfa_authenticate"), {"code": code})
    assert _signed_in(first)

    _password_step(second, enrolled)
    replay = second.post(reverse("mfa_authenticate"), {"code": code})
    assert replay.status_code == 200
    assert "Incorrect code" in replay.content.decode()
    assert not _signed_in(second)


def test_a_wrong_totp_code_is_refused(client: Client, enrolled: Enrolled) -> None:
    _password_step(client, enrolled)
    wrong = "000000" if totp_code(enrolled.secret) != "000000" else "111111"
    client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert not _signed_in(client)


def test_ten_recovery_codes_each_usable_once(
    enrolled: Enrolled, new_client: Callable[[], Client]
) -> None:
    codes = recovery_codes(enrolled.user)
    assert len(codes) == 10
    first, second = new_client(), new_client()
    _password_step(first, enrolled)
    first.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert _signed_in(first)

    _password_step(second, enrolled)
    again = second.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert again.status_code == 200
    assert not _signed_in(second)
    second.post(reverse("mfa_authenticate"), {"code": codes[1]})
    assert _signed_in(second)
    assert len(recovery_codes(enrolled.user)) == 8


def test_while_redis_is_unreachable_totp_waits_and_recovery_codes_work(
    enrolled: Enrolled, new_client: Callable[[], Client], redis_unreachable: str
) -> None:
    """A used TOTP code cannot be recorded where every process sees it, so none is
    accepted (a replay could not be refused); a recovery code is spent in the database."""
    first, second = new_client(), new_client()
    _password_step(first, enrolled)
    refused = first.post(reverse("mfa_authenticate"), {"code": totp_code(enrolled.secret)})
    assert "Incorrect code" in refused.content.decode()
    assert not _signed_in(first)

    _password_step(second, enrolled)
    second.post(reverse("mfa_authenticate"), {"code": recovery_codes(enrolled.user)[0]})
    assert _signed_in(second)
