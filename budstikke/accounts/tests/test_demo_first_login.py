"""Demo users have no second factor yet: their first login leads to enrollment."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

DEMO_PASSWORD = "demo password long enough 5"


@pytest.mark.parametrize("email", ["admin@demo.budstikke.test", "ops@budstikke.test"])
def test_first_demo_login_forces_enrollment(client: Client, db: None, email: str) -> None:
    call_command("demo", password=DEMO_PASSWORD, stdout=io.StringIO())
    response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
