"""A tenant admin sees the signed-in sessions of their members (browser, address, country,
times) and can end a member's sessions: the member is signed out at their next request."""

from __future__ import annotations

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from budstikke.accounts.models import User
from budstikke.accounts.testing import enroll_totp, totp_code
from budstikke.tenants.models import Membership
from budstikke.tenants.testing import PERSONA_PASSWORD, Personas, outsider_test

pytestmark = pytest.mark.django_db
URL = reverse("tenant_security:overview")
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def _end_url(personas: Personas, user: User) -> str:
    membership = Membership.objects.get(tenant=personas.tenant_a, user=user)
    return reverse("tenant_security:end-sessions", args=[membership.pk])


def _recorded(client: Client, user: User, ip: str, agent: str = FIREFOX) -> None:
    """What allauth records at a sign-in (the fixtures' clients sign in without allauth)."""
    UserSession.objects.create(
        user=user, session_key=client.session.session_key, ip=ip, user_agent=agent
    )


def _sessions_part(client: Client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    return page.split("<h2>Signed-in sessions</h2>", 1)[1].split("<h2>", 1)[0]


def test_a_real_sign_in_is_listed_with_its_browser_and_address(
    alice_client: Client, client: Client, personas: Personas
) -> None:
    secret = enroll_totp(personas.bob)
    bob, browser = client, {"REMOTE_ADDR": "192.0.2.50", "HTTP_USER_AGENT": FIREFOX}
    credentials = {"login": "bob@alfa.example", "password": PERSONA_PASSWORD}
    bob.post(reverse("account_login"), credentials, **browser)  # type: ignore[arg-type]
    done = bob.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}, **browser)  # type: ignore[arg-type]
    assert done.status_code == 302
    assert bob.session.get("_auth_user_id") == str(personas.bob.pk)

    sessions = _sessions_part(alice_client)
    assert "bob@alfa.example" in sessions
    assert "192.0.2.50" in sessions
    assert "Firefox · Linux" in sessions


def test_ending_bobs_sessions_signs_bob_out_at_his_next_request(
    alice_client: Client, bob_client: Client, personas: Personas
) -> None:
    _recorded(bob_client, personas.bob, "203.0.113.20")
    assert bob_client.get(reverse("tenants:home")).status_code == 200
    assert "203.0.113.20" in _sessions_part(alice_client)

    response = alice_client.post(_end_url(personas, personas.bob))
    assert response.status_code == 302

    after = bob_client.get(reverse("tenants:home"))
    assert after.status_code == 302
    assert after["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in bob_client.session
    assert "203.0.113.20" not in _sessions_part(alice_client)
    assert alice_client.get(reverse("tenants:home")).status_code == 200


def test_a_signed_out_or_foreign_session_is_not_listed(
    alice_client: Client, bob_client: Client, charlie_client: Client, personas: Personas
) -> None:
    _recorded(charlie_client, personas.charlie, "198.51.100.30")
    _recorded(bob_client, personas.bob, "203.0.113.21")
    bob_client.post(reverse("account_logout"))
    sessions = _sessions_part(alice_client)
    assert "203.0.113.21" not in sessions
    assert "198.51.100.30" not in sessions
    assert "charlie@beta.example" not in sessions


@outsider_test("tenant_security:end-sessions")
def test_charlie_cannot_end_bobs_sessions(
    charlie_client: Client, bob_client: Client, personas: Personas
) -> None:
    _recorded(bob_client, personas.bob, "203.0.113.22")
    assert charlie_client.post(_end_url(personas, personas.bob)).status_code == 404
    assert "203.0.113.22" not in _sessions_part(charlie_client)
    assert bob_client.get(reverse("tenants:home")).status_code == 200


def test_a_dispatcher_cannot_end_sessions(
    bob_client: Client, carl_client: Client, personas: Personas
) -> None:
    assert bob_client.post(_end_url(personas, personas.carl)).status_code == 403
    assert carl_client.get(reverse("tenants:home")).status_code == 200


def test_ending_sessions_is_a_post(
    alice_client: Client, bob_client: Client, personas: Personas
) -> None:
    assert alice_client.get(_end_url(personas, personas.bob)).status_code == 405
    assert bob_client.get(reverse("tenants:home")).status_code == 200
