from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from budstikke.tenants.access import SESSION_KEY
from budstikke.tenants.actions import ensure_membership
from budstikke.tenants.models import Membership, Role
from budstikke.tenants.testing import Personas, outsider_test

pytestmark = pytest.mark.django_db


def test_a_member_lands_in_their_tenant(alice_client: Client, personas: Personas) -> None:
    response = alice_client.get(reverse("tenants:home"))
    assert response.status_code == 200
    assert b"Alfa Kurer" in response.content
    assert alice_client.session[SESSION_KEY] == personas.tenant_a.pk


@outsider_test("tenants:home")
def test_someone_without_membership_gets_no_tenant_page(client: Client, personas: Personas) -> None:
    from budstikke.tenants.testing import log_in

    Membership.objects.filter(user=personas.bob).delete()
    log_in(client, personas.bob)
    assert client.get(reverse("tenants:home")).status_code == 404


def test_a_session_pointing_at_a_foreign_tenant_falls_back_to_own(
    charlie_client: Client, personas: Personas
) -> None:
    session = charlie_client.session
    session[SESSION_KEY] = personas.tenant_a.pk
    session.save()
    response = charlie_client.get(reverse("tenants:home"))
    assert response.status_code == 200
    assert b"Beta Bud" in response.content
    assert b"Alfa Kurer" not in response.content
    assert charlie_client.session[SESSION_KEY] == personas.tenant_b.pk


def test_membership_is_checked_on_every_request(alice_client: Client, personas: Personas) -> None:
    assert alice_client.get(reverse("tenants:home")).status_code == 200
    Membership.objects.filter(user=personas.alice).delete()
    assert alice_client.get(reverse("tenants:home")).status_code == 404


def test_a_user_in_two_tenants_switches_between_them(
    charlie_client: Client, personas: Personas
) -> None:
    ensure_membership(tenant=personas.tenant_a, user=personas.charlie, role=Role.COURIER)
    page = charlie_client.get(reverse("tenants:switch"))
    assert b"Alfa Kurer" in page.content
    assert b"Beta Bud" in page.content
    charlie_client.post(reverse("tenants:switch"), {"tenant": personas.tenant_a.pk})
    assert b"Alfa Kurer" in charlie_client.get(reverse("tenants:home")).content


def test_the_switcher_lists_and_accepts_only_own_tenants(
    charlie_client: Client, personas: Personas
) -> None:
    page = charlie_client.get(reverse("tenants:switch"))
    assert b"Alfa Kurer" not in page.content
    response = charlie_client.post(reverse("tenants:switch"), {"tenant": personas.tenant_a.pk})
    assert response.status_code == 404
    assert b"Beta Bud" in charlie_client.get(reverse("tenants:home")).content


def test_an_anonymous_visitor_is_sent_to_log_in(client: Client, personas: Personas) -> None:
    response = client.get(reverse("tenants:home"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
