"""Failed logins, failed second factors, failed re-authentication and successful logins
become security events, without the password or the code."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from budstikke.accounts.testing import totp_code
from budstikke.shield.models import SecurityEvent

from .conftest import PASSWORD, Enrolled

WRONG_PASSWORD = "not-the-password-at-all-99"


def _details() -> str:
    return json.dumps(list(SecurityEvent.objects.values("detail", "path")))


def test_a_failed_login_is_recorded_without_the_password(
    client: Client, enrolled: Enrolled
) -> None:
    client.post(
        reverse("account_login"),
        {"login": enrolled.user.email, "password": WRONG_PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN_FAILED)
    assert event.user == enrolled.user
    assert event.ip == "203.0.113.9"
    assert event.path == "/accounts/login/"
    assert WRONG_PASSWORD not in _details()


def test_a_failed_login_for_an_unknown_address_keeps_no_address(client: Client, db: None) -> None:
    client.post(
        reverse("account_login"), {"login": "nobody@example.test", "password": WRONG_PASSWORD}
    )
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN_FAILED)
    assert event.user is None
    assert "nobody@example.test" not in _details()


def test_a_failed_second_factor_is_recorded_without_the_code(
    client: Client, enrolled: Enrolled
) -> None:
    client.post(reverse("account_login"), {"login": enrolled.user.email, "password": PASSWORD})
    wrong = "000000" if totp_code(enrolled.secret) != "000000" else "111111"
    client.post(reverse("mfa_authenticate"), {"code": wrong})
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.MFA_FAILED)
    assert event.user == enrolled.user
    assert wrong not in _details()
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN_SUCCEEDED).exists()


def test_a_complete_login_is_recorded_as_succeeded(client: Client, enrolled: Enrolled) -> None:
    client.post(reverse("account_login"), {"login": enrolled.user.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(enrolled.secret)})
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN_SUCCEEDED)
    assert event.user == enrolled.user
    assert event.detail == {"mfa": True}
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN_FAILED).exists()


def test_failed_reauthentication_is_recorded(client: Client, enrolled: Enrolled) -> None:
    client.force_login(enrolled.user)
    client.post(reverse("account_reauthenticate"), {"password": WRONG_PASSWORD})
    wrong = "000000" if totp_code(enrolled.secret) != "000000" else "111111"
    client.post(reverse("mfa_reauthenticate"), {"code": wrong})
    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REAUTH_FAILED)
    assert sorted(e.detail["method"] for e in events) == ["mfa", "password"]
    assert all(e.user == enrolled.user for e in events)
    assert WRONG_PASSWORD not in _details()
    assert wrong not in _details()
