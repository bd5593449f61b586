"""allauth's pages in our layout run under the strict CSP: no inline script without our
nonce, no inline style, and the WebAuthn JavaScript comes from our own static files."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from budstikke.accounts.testing import totp_code

from .conftest import PASSWORD, Enrolled

_SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def _assert_csp_clean(html: str) -> None:
    for attributes in _SCRIPT.findall(html):
        assert (
            "src=" in attributes
            or 'type="application/json"' in attributes
            or "nonce=" in attributes
        ), attributes
    assert " style=" not in html
    assert " onclick=" not in html


@pytest.mark.parametrize(
    "name",
    ["account_login", "account_signup", "account_reset_password"],
)
def test_signed_out_pages(client: Client, db: None, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]
    assert '<link rel="stylesheet" href="/static/budstikke/app.css">' in response.content.decode()
    _assert_csp_clean(response.content.decode())


def test_second_factor_page(client: Client, enrolled: Enrolled) -> None:
    client.post(reverse("account_login"), {"login": enrolled.user.email, "password": PASSWORD})
    response = client.get(reverse("mfa_authenticate"))
    assert response.status_code == 200
    _assert_csp_clean(response.content.decode())


@pytest.mark.parametrize(
    "name",
    [
        "account_email",
        "mfa_index",
        "mfa_view_recovery_codes",
        "mfa_add_webauthn",
        "mfa_list_webauthn",
        "account_sessions",
    ],
)
def test_signed_in_pages(client: Client, enrolled: Enrolled, name: str) -> None:
    client.force_login(enrolled.user)
    client.post(reverse("mfa_reauthenticate"), {"code": totp_code(enrolled.secret)})
    response = client.get(reverse(name))
    assert response.status_code == 200, response.get("Location")
    html = response.content.decode()
    _assert_csp_clean(html)
    if name == "mfa_add_webauthn":
        assert 'src="/static/mfa/js/webauthn.js"' in html
        assert client.get("/static/mfa/js/webauthn.js").status_code == 200
