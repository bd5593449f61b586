from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from budstikke.accounts.models import User
from budstikke.core.clock import ClockControl
from budstikke.shield.models import SecurityEvent
from budstikke.tenants.access import SESSION_KEY
from budstikke.tenants.actions import INVITATION_TTL, invite
from budstikke.tenants.models import Invitation, Membership, Role
from budstikke.tenants.testing import Personas, log_in, outsider_test

pytestmark = pytest.mark.django_db

NEW_PERSON = {
    "full_name": "Dora Dahl",
    "password1": "a sturdy passphrase 42",
    "password2": "a sturdy passphrase 42",
}


def _accept_path(message: mail.EmailMessage) -> str:
    found = re.search(r"https://[^/\s]+(/invitations/[^/\s]+/)", str(message.body))
    assert found, message.body
    return found.group(1)


def _invite(personas: Personas, email: str = "dora@alfa.example") -> str:
    mail.outbox.clear()
    invite(tenant=personas.tenant_a, email=email, role=Role.DISPATCHER, invited_by=personas.alice)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [email]
    return _accept_path(mail.outbox[0])


def _misuse_events() -> list[str]:
    return list(
        SecurityEvent.objects.filter(kind=SecurityEvent.Kind.INVITATION_MISUSE).values_list(
            "detail__reason", flat=True
        )
    )


def test_the_admin_invites_by_email(alice_client: Client, personas: Personas) -> None:
    mail.outbox.clear()
    response = alice_client.post(
        reverse("tenants:invite"), {"email": "Dora@Alfa.example", "role": Role.DISPATCHER}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "Alfa Kurer" in mail.outbox[0].subject
    path = _accept_path(mail.outbox[0])
    page = alice_client.get(reverse("tenants:members")).content.decode()
    assert "dora@alfa.example" in page
    invitation = Invitation.objects.for_tenant(personas.tenant_a).get()
    # Only a hash of the token is stored.
    token = path.rstrip("/").rsplit("/", 1)[-1]
    assert token not in invitation.token_hash
    assert invitation.expires_at - invitation.created_at == INVITATION_TTL


def test_a_dispatcher_cannot_invite(bob_client: Client) -> None:
    response = bob_client.post(
        reverse("tenants:invite"), {"email": "eve@evil.example", "role": Role.ADMIN}
    )
    assert response.status_code == 403
    assert Invitation.objects.dangerously_unscoped().count() == 0


@outsider_test("tenants:invite")
def test_an_outsiders_invitation_goes_to_their_own_tenant(
    charlie_client: Client, personas: Personas
) -> None:
    charlie_client.post(
        reverse("tenants:invite"), {"email": "friend@beta.example", "role": Role.ADMIN}
    )
    assert not Invitation.objects.for_tenant(personas.tenant_a).exists()
    assert Invitation.objects.for_tenant(personas.tenant_b).count() == 1


def test_a_new_person_accepts_creates_an_account_and_must_enroll_2fa(
    client: Client, personas: Personas
) -> None:
    path = _invite(personas)
    page = client.get(path)
    assert page.status_code == 200
    assert b"Alfa Kurer" in page.content
    response = client.post(path, NEW_PERSON)
    assert response.status_code == 302
    dora = User.objects.get(email="dora@alfa.example")
    assert Membership.objects.get(user=dora, tenant=personas.tenant_a).role == Role.DISPATCHER
    # Signed in with a password only: the tenant stays closed until a second factor exists.
    tenant_page = client.get(reverse("tenants:home"))
    assert tenant_page.status_code == 302
    assert reverse("mfa_activate_totp") in tenant_page["Location"]
    log_in(client, dora)
    assert b"Alfa Kurer" in client.get(reverse("tenants:home")).content


def test_a_weak_password_is_refused_and_the_invitation_kept(
    client: Client, personas: Personas
) -> None:
    path = _invite(personas)
    response = client.post(
        path, {"full_name": "Dora", "password1": "password", "password2": "password"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="dora@alfa.example").exists()
    assert client.post(path, NEW_PERSON).status_code == 302


def test_an_existing_user_logs_in_then_accepts(client: Client, personas: Personas) -> None:
    path = _invite(personas, "charlie@beta.example")
    page = client.get(path)
    assert reverse("account_login").encode() in page.content
    log_in(client, personas.charlie)
    assert client.post(path).status_code == 302
    assert Membership.objects.get(user=personas.charlie, tenant=personas.tenant_a).role == (
        Role.DISPATCHER
    )
    assert client.session[SESSION_KEY] == personas.tenant_a.pk


def test_an_invitation_for_someone_else_cannot_be_taken(
    charlie_client: Client, personas: Personas
) -> None:
    path = _invite(personas, "dora@alfa.example")
    response = charlie_client.post(path)
    assert response.status_code == 200
    assert b"another email address" in response.content
    assert not Membership.objects.filter(user=personas.charlie, tenant=personas.tenant_a).exists()


def test_an_invitation_works_only_once(client: Client, personas: Personas) -> None:
    path = _invite(personas)
    assert client.post(path, NEW_PERSON).status_code == 302
    response = Client().post(path, {**NEW_PERSON, "full_name": "Mallory"}, secure=True)
    assert response.status_code == 404
    assert _misuse_events() == ["reused"]
    assert User.objects.filter(email="dora@alfa.example").count() == 1


def test_an_expired_invitation_is_refused(
    client: Client, personas: Personas, clock: type[ClockControl]
) -> None:
    path = _invite(personas)
    clock.advance(INVITATION_TTL + timedelta(seconds=1))
    response = client.post(path, NEW_PERSON)
    assert response.status_code == 404
    assert b"cannot be used" in response.content
    assert not User.objects.filter(email="dora@alfa.example").exists()
    assert _misuse_events() == ["expired"]


def test_a_wrong_token_is_a_security_event_without_the_token(
    client: Client, personas: Personas
) -> None:
    _invite(personas)
    response = client.get("/invitations/not-the-right-token/")
    assert response.status_code == 404
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.INVITATION_MISUSE)
    assert event.detail == {"reason": "unknown"}
    assert "not-the-right-token" not in event.path


def test_a_withdrawn_invitation_is_refused(
    alice_client: Client, client: Client, personas: Personas
) -> None:
    path = _invite(personas)
    invitation = Invitation.objects.for_tenant(personas.tenant_a).get()
    alice_client.post(reverse("tenants:invitation-revoke", args=[invitation.pk]))
    assert client.post(path, NEW_PERSON).status_code == 404
    assert _misuse_events() == ["revoked"]


def test_an_operator_cannot_join_a_tenant(olga_client: Client, personas: Personas) -> None:
    path = _invite(personas, personas.olga.email)
    response = olga_client.post(path)
    assert b"operator" in response.content
    assert not Membership.objects.filter(user=personas.olga).exists()


def test_the_invited_address_is_stored_encrypted(personas: Personas) -> None:
    _invite(personas, "dora@alfa.example")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM tenants_invitation")
        raw = str(cursor.fetchall())
    assert "dora@alfa.example" not in raw
    found = Invitation.objects.for_tenant(personas.tenant_a).find(email="DORA@alfa.example")
    assert [invitation.email for invitation in found] == ["dora@alfa.example"]
