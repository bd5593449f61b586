"""Signing up verifies the address by code, then sends the new admin to 2FA enrollment."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from budstikke.accounts.models import User
from budstikke.shield.models import SecurityEvent

PASSWORD = "a fresh long passphrase 77"


def _signup(client: Client, email: str) -> str:
    response = client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "company_name": "Hurtig Kurer ApS",
            "country": "DK",
            "accept_dpa": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"])


def test_signup_verifies_the_address_then_forces_enrollment(client: Client, db: None) -> None:
    location = _signup(client, "founder@example.test")
    assert location == reverse("account_email_verification_sent")
    # Not signed in until the address is proven.
    assert client.get("/accounts/email/")["Location"].startswith(reverse("account_login"))
    [message] = mail.outbox
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", str(message.body), re.MULTILINE)
    assert code is not None, message.body
    done = client.post(reverse("account_email_verification_sent"), {"code": code[1]})
    assert done.status_code == 302
    assert client.get("/")["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200  # no password again
    user = User.objects.get(email="founder@example.test")
    assert user.check_password(PASSWORD)
    assert SecurityEvent.objects.filter(kind="login_succeeded", user=user).exists()


def test_a_short_or_common_password_is_refused(client: Client, db: None) -> None:
    for weak in ("short pw 1", "password1234"):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "weak@example.test",
                "password1": weak,
                "password2": weak,
                "company_name": "X",
                "country": "DK",
                "accept_dpa": "on",
            },
        )
        assert response.status_code == 200
    assert not User.objects.filter(email="weak@example.test").exists()
