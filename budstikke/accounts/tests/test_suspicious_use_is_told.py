"""The owner of an account hears of suspicious use of it (ASVS 6.3.5): a right password with
a failed second factor, a sign-in from a new country, failed attempts since the last
sign-in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from budstikke.accounts.testing import recovery_codes, totp_code

from .conftest import PASSWORD, Enrolled

DENMARK = "80.62.116.1"
BRAZIL = "200.160.0.1"


def _password(client: Client, enrolled: Enrolled, ip: str, password: str = PASSWORD) -> None:
    client.post(
        reverse("account_login"),
        {"login": enrolled.user.email, "password": password},
        REMOTE_ADDR=ip,
    )


class SignIn:
    """Full sign-ins, each with the next of the account's recovery codes: a TOTP code works
    once per 30 s window and can cross a window's edge on a busy machine."""

    def __init__(self, enrolled: Enrolled, new_client: Callable[[], Client]) -> None:
        self.enrolled, self.new_client = enrolled, new_client
        self.codes = recovery_codes(enrolled.user)

    def __call__(self, ip: str) -> str:
        client = self.new_client()
        _password(client, self.enrolled, ip)
        answer = client.post(
            reverse("mfa_authenticate"), {"code": self.codes.pop()}, REMOTE_ADDR=ip
        )
        assert answer.status_code == 302, answer.content.decode()[:500]
        return client.get(answer["Location"], REMOTE_ADDR=ip).content.decode()


@pytest.fixture
def sign_in(enrolled: Enrolled, new_client: Callable[[], Client]) -> SignIn:
    return SignIn(enrolled, new_client)


def _wrong_code(enrolled: Enrolled) -> str:
    return "000000" if totp_code(enrolled.secret) != "000000" else "111111"


def test_a_right_password_with_a_failed_second_factor_is_told_once_an_hour(
    enrolled: Enrolled, new_client: Callable[[], Client]
) -> None:
    for _attempt in range(3):
        browser = new_client()
        _password(browser, enrolled, BRAZIL)
        browser.post(
            reverse("mfa_authenticate"), {"code": _wrong_code(enrolled)}, REMOTE_ADDR=BRAZIL
        )

    (notice,) = mail.outbox
    assert notice.to == [enrolled.user.email]
    assert "second factor failed" in notice.subject
    assert BRAZIL in notice.body
    assert "(BR)" in notice.body


def test_a_sign_in_from_a_new_country_is_told_and_a_known_one_is_not(
    sign_in: SignIn,
) -> None:
    sign_in(DENMARK)  # the first sign-in: nothing to compare with
    sign_in(DENMARK)
    assert mail.outbox == []

    sign_in(BRAZIL)

    (notice,) = mail.outbox
    assert "a country new to this account" in notice.body
    assert "(BR)" in notice.body


def test_failed_attempts_since_the_last_sign_in_are_shown_and_mailed(
    enrolled: Enrolled, new_client: Callable[[], Client], sign_in: SignIn
) -> None:
    sign_in(DENMARK)
    for _attempt in range(2):
        _password(new_client(), enrolled, DENMARK, password="not the password")

    page = sign_in(DENMARK)

    assert "2 failed sign-in attempts on your account since your last sign-in" in page
    (notice,) = mail.outbox
    assert "2 failed sign-in attempts" in notice.body


def test_nothing_is_told_when_nothing_happened(sign_in: SignIn) -> None:
    sign_in(DENMARK)
    page = sign_in(DENMARK)

    assert "failed sign-in" not in page
    assert mail.outbox == []
