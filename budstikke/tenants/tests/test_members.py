from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from budstikke.tenants.actions import ensure_membership
from budstikke.tenants.models import Membership, Role
from budstikke.tenants.testing import Personas, outsider_test, reauthenticate

pytestmark = pytest.mark.django_db


def _membership(personas: Personas, who: str) -> Membership:
    membership: Membership = Membership.objects.get(
        tenant=personas.tenant_a, user=getattr(personas, who)
    )
    return membership


def test_the_admin_sees_every_member_of_the_tenant(alice_client: Client) -> None:
    page = alice_client.get(reverse("tenants:members")).content.decode()
    for email in ("alice@alfa.example", "bob@alfa.example", "carl@alfa.example"):
        assert email in page
    assert "charlie@beta.example" not in page


@outsider_test("tenants:members")
def test_an_outsider_sees_only_their_own_members(charlie_client: Client) -> None:
    page = charlie_client.get(reverse("tenants:members")).content.decode()
    assert "charlie@beta.example" in page
    assert "alfa.example" not in page


def test_a_dispatcher_cannot_manage_members(bob_client: Client, personas: Personas) -> None:
    assert bob_client.get(reverse("tenants:members")).status_code == 403
    url = reverse("tenants:member-role", args=[_membership(personas, "carl").pk])
    reauthenticate(bob_client, personas.bob)
    assert bob_client.post(url, {"role": Role.ADMIN}).status_code == 403
    assert _membership(personas, "carl").role == Role.COURIER


def test_changing_a_role_demands_reauthentication(alice_client: Client, personas: Personas) -> None:
    url = reverse("tenants:member-role", args=[_membership(personas, "bob").pk])
    response = alice_client.post(url, {"role": Role.ADMIN})
    assert response.status_code == 302
    assert reverse("account_reauthenticate") in response["Location"]
    assert _membership(personas, "bob").role == Role.DISPATCHER


def test_the_admin_changes_a_role(alice_client: Client, personas: Personas) -> None:
    reauthenticate(alice_client, personas.alice)
    url = reverse("tenants:member-role", args=[_membership(personas, "bob").pk])
    response = alice_client.post(url, {"role": Role.ADMIN})
    assert response.status_code == 302
    assert _membership(personas, "bob").role == Role.ADMIN


def test_the_last_admin_cannot_be_demoted(alice_client: Client, personas: Personas) -> None:
    reauthenticate(alice_client, personas.alice)
    url = reverse("tenants:member-role", args=[_membership(personas, "alice").pk])
    response = alice_client.post(url, {"role": Role.DISPATCHER})
    assert response.status_code == 200
    assert b"last administrator" in response.content
    assert _membership(personas, "alice").role == Role.ADMIN


def test_the_last_admin_cannot_be_removed(alice_client: Client, personas: Personas) -> None:
    reauthenticate(alice_client, personas.alice)
    url = reverse("tenants:member-remove", args=[_membership(personas, "alice").pk])
    response = alice_client.post(url)
    assert response.status_code == 200
    assert b"last administrator" in response.content
    assert Membership.objects.filter(user=personas.alice, tenant=personas.tenant_a).exists()


def test_an_admin_can_step_down_once_there_is_another(
    alice_client: Client, personas: Personas
) -> None:
    ensure_membership(tenant=personas.tenant_a, user=personas.bob, role=Role.ADMIN)
    reauthenticate(alice_client, personas.alice)
    url = reverse("tenants:member-role", args=[_membership(personas, "alice").pk])
    alice_client.post(url, {"role": Role.DISPATCHER})
    assert _membership(personas, "alice").role == Role.DISPATCHER


def test_removing_access_demands_reauthentication(alice_client: Client, personas: Personas) -> None:
    url = reverse("tenants:member-remove", args=[_membership(personas, "bob").pk])
    response = alice_client.post(url)
    assert reverse("account_reauthenticate") in response["Location"]
    assert Membership.objects.filter(user=personas.bob).exists()


def test_a_removed_member_is_signed_out_at_once(
    alice_client: Client, bob_client: Client, personas: Personas
) -> None:
    assert bob_client.get(reverse("tenants:home")).status_code == 200
    reauthenticate(alice_client, personas.alice)
    url = reverse("tenants:member-remove", args=[_membership(personas, "bob").pk])
    assert alice_client.post(url).status_code == 302
    assert not Membership.objects.filter(user=personas.bob).exists()
    response = bob_client.get(reverse("tenants:home"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    # Signed out: even pages that need only a login send Bob to the login page.
    assert reverse("account_login") in bob_client.get(reverse("tenants:switch"))["Location"]


def test_removing_one_member_leaves_other_sessions_alone(
    alice_client: Client, bob_client: Client, carl_client: Client, personas: Personas
) -> None:
    carl_client.get(reverse("tenants:home"))
    reauthenticate(alice_client, personas.alice)
    alice_client.post(reverse("tenants:member-remove", args=[_membership(personas, "bob").pk]))
    assert carl_client.get(reverse("tenants:home")).status_code == 200
    assert alice_client.get(reverse("tenants:members")).status_code == 200
    assert Session.objects.exists()
