"""A password alone reaches nothing but enrollment; enrollment shows the QR code and secret."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from budstikke.accounts.models import User
from budstikke.accounts.testing import totp_code

from .conftest import PASSWORD, Enrolled

ENROLL = "/accounts/2fa/totp/activate/"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/accounts/email/",
        "/accounts/2fa/",
        "/accounts/password/change/",
        "/accounts/sessions/",
        "/api/v1/openapi.json",
        "/ops/",
        "/no-such-page/",
    ],
)
def test_a_password_only_session_is_sent_to_enrollment(
    client: Client, user: User, path: str
) -> None:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == ENROLL


def test_a_password_only_session_cannot_post_anywhere_else(client: Client, user: User) -> None:
    client.force_login(user)
    response = client.post("/accounts/email/", {"email": "evil@example.test", "action_add": ""})
    assert response.status_code == 302
    assert response["Location"] == ENROLL
    assert user.emailaddress_set.filter(email="evil@example.test").count() == 0  # type: ignore[attr-defined]


def test_enrollment_shows_the_qr_code_and_the_secret(client: Client, user: User) -> None:
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    page = client.get(ENROLL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    secret = re.search(r'id="authenticator_secret"[^>]*>([A-Z2-7]{32})<', html)
    assert secret is not None


def test_enrolling_opens_the_site(client: Client, user: User) -> None:
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    html = client.get(ENROLL).content.decode()
    match = re.search(r'id="authenticator_secret"[^>]*>([A-Z2-7]{32})<', html)
    assert match is not None
    wrong = client.post(ENROLL, {"code": "000000" if totp_code(match[1]) != "000000" else "1"})
    assert wrong.status_code == 200
    assert client.get("/accounts/email/")["Location"] == ENROLL
    done = client.post(ENROLL, {"code": totp_code(match[1])})
    assert done.status_code == 302
    assert done["Location"] == reverse("mfa_view_recovery_codes")
    assert client.get("/accounts/email/").status_code == 200


def test_an_operator_needs_a_second_factor_too(client: Client, db: None) -> None:
    olga = User.objects.create_operator("olga@example.test", PASSWORD)
    client.force_login(olga)
    assert client.get("/ops/")["Location"] == ENROLL
    assert client.get("/metrics").status_code == 302


def test_logout_stays_reachable(client: Client, user: User) -> None:
    client.force_login(user)
    assert client.get(reverse("account_logout")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get("/").status_code == 200


def test_enrolled_user_is_let_through(client: Client, enrolled: Enrolled) -> None:
    client.force_login(enrolled.user)
    assert client.get("/accounts/email/").status_code == 200


def test_password_step_alone_leaves_the_user_signed_out(client: Client, enrolled: Enrolled) -> None:
    step = client.post(
        reverse("account_login"), {"login": enrolled.user.email, "password": PASSWORD}
    )
    assert step["Location"] == reverse("mfa_authenticate")
    for path in ("/accounts/email/", "/accounts/2fa/", "/accounts/sessions/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    done = client.post(reverse("mfa_authenticate"), {"code": totp_code(enrolled.secret)})
    assert done.status_code == 302
    assert client.get("/accounts/email/").status_code == 200


def test_the_last_authenticator_cannot_be_removed(client: Client, enrolled: Enrolled) -> None:
    client.post(reverse("account_login"), {"login": enrolled.user.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(enrolled.secret)})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("mfa_deactivate_totp"))
    assert enrolled.user.authenticator_set.filter(type="totp").exists()  # type: ignore[attr-defined]
