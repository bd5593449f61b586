"""A tenant admin sees sign-in attempts on their own members (failed passwords, failed second
factors, successful logins, the bans they led to), in the company's time zone, for 30 days;
never attempts on anyone else, and nobody but the admin sees the page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats

from budstikke.accounts.models import User
from budstikke.core import clock as real_clock
from budstikke.shield import actions
from budstikke.shield.events import account_key, record
from budstikke.shield.models import SecurityEvent
from budstikke.tenants.actions import ensure_membership
from budstikke.tenants.models import Role
from budstikke.tenants.testing import Personas, outsider_test

pytestmark = pytest.mark.django_db
URL = reverse("tenant_security:overview")
Kind = SecurityEvent.Kind


def _page(client: Client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def _attempts_on(user: User, ip: str, *kinds: SecurityEvent.Kind) -> None:
    for kind in kinds:
        record(kind, ip=ip, user=user)


def test_alice_sees_attempts_on_bob_but_not_on_charlies_users(
    alice_client: Client, personas: Personas
) -> None:
    _attempts_on(personas.bob, "203.0.113.7", Kind.LOGIN_FAILED, Kind.MFA_FAILED)
    _attempts_on(personas.bob, "192.0.2.44", Kind.LOGIN_SUCCEEDED)
    _attempts_on(personas.charlie, "198.51.100.99", Kind.LOGIN_FAILED)
    # A failed login known only by the keyed digest of the address typed.
    record(Kind.LOGIN_FAILED, ip="203.0.113.8", account=account_key("Carl@Alfa.example "))
    record(Kind.LOGIN_FAILED, ip="203.0.113.9", account=account_key("charlie@beta.example"))

    page = _page(alice_client)
    assert "bob@alfa.example" in page
    for shown in ("203.0.113.7", "192.0.2.44", "203.0.113.8"):
        assert shown in page
    assert "Failed login" in page
    assert "Failed second factor" in page
    assert "Successful login" in page
    assert "carl@alfa.example" in page
    for hidden in ("198.51.100.99", "203.0.113.9", "charlie@beta.example"):
        assert hidden not in page


@outsider_test("tenant_security:overview")
def test_charlie_sees_nothing_of_tenant_a(charlie_client: Client, personas: Personas) -> None:
    _attempts_on(personas.bob, "203.0.113.7", Kind.LOGIN_FAILED)
    _attempts_on(personas.charlie, "198.51.100.99", Kind.LOGIN_FAILED)
    page = _page(charlie_client)
    assert "198.51.100.99" in page
    assert "203.0.113.7" not in page
    assert "alfa.example" not in page


def test_a_member_of_both_companies_is_visible_to_both_admins(
    alice_client: Client, charlie_client: Client, personas: Personas
) -> None:
    ensure_membership(tenant=personas.tenant_b, user=personas.bob, role=Role.COURIER)
    _attempts_on(personas.bob, "203.0.113.7", Kind.LOGIN_FAILED)
    assert "203.0.113.7" in _page(alice_client)
    assert "203.0.113.7" in _page(charlie_client)


def test_dispatchers_couriers_and_operators_cannot_open_it(
    bob_client: Client, carl_client: Client, olga_client: Client, personas: Personas
) -> None:
    _attempts_on(personas.bob, "203.0.113.7", Kind.LOGIN_FAILED)
    assert bob_client.get(URL).status_code == 403
    assert carl_client.get(URL).status_code == 403
    response = olga_client.get(URL)
    assert response.status_code == 404
    assert "203.0.113.7" not in response.content.decode()


def test_times_are_in_the_company_zone_and_only_30_days_back(
    alice_client: Client, personas: Personas, clock: Any
) -> None:
    personas.tenant_a.timezone = "America/Nuuk"
    personas.tenant_a.save(update_fields=["timezone"])
    now = real_clock.now()
    old, recent = now - timedelta(days=31), now - timedelta(days=4)
    clock.freeze(old)
    _attempts_on(personas.bob, "203.0.113.1", Kind.LOGIN_FAILED)
    clock.freeze(recent)
    _attempts_on(personas.bob, "203.0.113.2", Kind.LOGIN_FAILED)
    clock.freeze(now)

    page = _page(alice_client)
    assert "203.0.113.2" in page
    assert "203.0.113.1" not in page
    local = formats.date_format(
        recent.astimezone(ZoneInfo("America/Nuuk")), "SHORT_DATETIME_FORMAT"
    )
    utc = formats.date_format(recent, "SHORT_DATETIME_FORMAT")
    assert local != utc
    assert local in page


def test_the_ban_that_followed_attempts_on_bob_is_shown(
    alice_client: Client, personas: Personas
) -> None:
    _attempts_on(personas.bob, "203.0.113.7", Kind.LOGIN_FAILED)
    actions.manual_ban("203.0.113.7", 1, "password guessing", None)
    actions.manual_ban("198.51.100.5", 1, "elsewhere", None)
    page = _page(alice_client)
    bans = page.split("<h2>Bans</h2>", 1)[1]
    assert "203.0.113.7" in bans
    assert "bob@alfa.example" in bans
    assert "198.51.100.5" not in page


def test_many_attempts_are_paginated(alice_client: Client, personas: Personas) -> None:
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=Kind.MFA_FAILED, ip=f"192.0.2.{n % 250}", user=personas.bob)
        for n in range(120)
    )
    first = _page(alice_client)
    assert "Page 1 of 3" in first
    assert alice_client.get(URL, {"page": "3"}).status_code == 200
    assert alice_client.get(URL, {"page": "not a number"}).status_code == 200
    assert first.count("<strong>Failed second factor</strong>") == 50


def test_the_admins_navigation_links_to_it(
    alice_client: Client, bob_client: Client, personas: Personas
) -> None:
    link = f'href="{URL}"'
    assert link in alice_client.get(reverse("tenants:home")).content.decode()
    assert link not in bob_client.get(reverse("tenants:home")).content.decode()
