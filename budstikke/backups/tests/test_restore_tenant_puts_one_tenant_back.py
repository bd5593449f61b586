from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from budstikke.backups import actions
from budstikke.core import clock
from budstikke.tenants.models import Invitation, Membership, Role
from budstikke.tenants.testing import Personas
from tests.specimens.models import Contact, Note

pytestmark = pytest.mark.django_db(transaction=True)


def _invite(personas: Personas, email: str) -> Invitation:
    invitation: Invitation = Invitation.objects.create(
        tenant=personas.tenant_a,
        email=email,
        role=Role.COURIER,
        token_hash=email.encode().hex()[:64],
        invited_by=personas.alice,
        expires_at=clock.now() + timedelta(days=7),
    )
    return invitation


def test_it_puts_a_tenants_deleted_rows_back_and_leaves_others_alone(
    personas: Personas, backup_dirs: Path
) -> None:
    a, b = personas.tenant_a, personas.tenant_b
    invitation = _invite(personas, "dora@alfa.example")
    contact = Contact.objects.create(tenant=a, name="Ejnar Eriksen", email="ejnar@kunde.example")
    Note.objects.create(tenant=a, body="Ring før levering")
    b_contact = Contact.objects.create(tenant=b, name="Berit Bang")
    run = actions.create_backup()

    # After the backup: A deletes its own data by mistake; B keeps working.
    Contact.objects.for_tenant(a).delete()
    Note.objects.for_tenant(a).delete()
    Invitation.objects.for_tenant(a).delete()
    Membership.objects.filter(tenant=a, user=personas.carl).delete()
    b_contact.name = "Berit Bang-Nielsen"
    b_contact.save()
    later_b = Contact.objects.create(tenant=b, name="Bo Brandt")
    Membership.objects.filter(tenant=b, user=personas.charlie).update(role=Role.DISPATCHER)

    out = StringIO()
    call_command("backup", "restore-tenant", run.backup_id, "--tenant", a.slug, stdout=out)

    restored = Contact.objects.for_tenant(a).get(pk=contact.pk)
    assert restored.name == "Ejnar Eriksen"
    assert Contact.objects.for_tenant(a).find(email="EJNAR@kunde.example") == [restored]
    assert Note.objects.for_tenant(a).get().body == "Ring før levering"
    assert Invitation.objects.for_tenant(a).get(pk=invitation.pk).email == "dora@alfa.example"
    assert Membership.objects.filter(tenant=a, user=personas.carl, role=Role.COURIER).exists()
    # Tenant B's changes since the backup are untouched.
    assert Contact.objects.for_tenant(b).get(pk=b_contact.pk).name == "Berit Bang-Nielsen"
    assert Contact.objects.for_tenant(b).filter(pk=later_b.pk).exists()
    assert Membership.objects.get(tenant=b, user=personas.charlie).role == Role.DISPATCHER
    assert "specimens_contact: 1 in backup, 1 inserted" in out.getvalue()
    assert "tenants_membership: 3 in backup, 1 inserted, 0 updated, 2 unchanged" in out.getvalue()


def test_dry_run_reports_and_changes_nothing(personas: Personas, backup_dirs: Path) -> None:
    a = personas.tenant_a
    Contact.objects.create(tenant=a, name="Frida Falk")
    run = actions.create_backup()
    Contact.objects.for_tenant(a).delete()

    out = StringIO()
    call_command(
        "backup", "restore-tenant", run.backup_id, "--tenant", a.slug, "--dry-run", stdout=out
    )

    assert not Contact.objects.for_tenant(a).exists()
    assert "would put back 1 row(s)" in out.getvalue()


def test_it_puts_a_changed_row_back_to_the_backups_values(
    personas: Personas, backup_dirs: Path
) -> None:
    a = personas.tenant_a
    contact = Contact.objects.create(tenant=a, name="Gustav Gram")
    run = actions.create_backup()
    contact.name = "Overwritten by mistake"
    contact.save()

    call_command("backup", "restore-tenant", run.backup_id, "--tenant", a.slug, stdout=StringIO())

    assert Contact.objects.for_tenant(a).get(pk=contact.pk).name == "Gustav Gram"


def test_an_unknown_tenant_is_a_clear_error(personas: Personas, backup_dirs: Path) -> None:
    run = actions.create_backup()
    with pytest.raises(CommandError, match="holds no tenant 'nobody'"):
        call_command("backup", "restore-tenant", run.backup_id, "--tenant", "nobody")


def test_an_unknown_backup_is_a_clear_error(personas: Personas, backup_dirs: Path) -> None:
    with pytest.raises(CommandError, match="no good backup"):
        call_command(
            "backup", "restore-tenant", "20200101T020000Z-abcdef", "--tenant", "alfa-kurer"
        )
