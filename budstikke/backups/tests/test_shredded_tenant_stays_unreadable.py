from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from budstikke.backups import actions, drill, engines, targets
from budstikke.tenants.testing import Personas
from budstikke.vault import shredding
from budstikke.vault.errors import TenantKeyDestroyed
from budstikke.vault.fields import open_record_raw
from tests.specimens.models import Contact

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_shredded_tenants_rows_in_a_backup_do_not_open(
    personas: Personas, backup_dirs: Path
) -> None:
    a = personas.tenant_a
    contact = Contact.objects.create(tenant=a, name="Hanne Holm")
    run = actions.create_backup()
    shredding.shred(a)

    # Restore the whole backup into a scratch database and try to read the row.
    path = targets.configured().fetch(run.backup_id, backup_dirs)
    with tempfile.TemporaryDirectory() as tmp:
        extracted = drill.extract(path, Path(tmp))
        engine = engines.for_name(extracted.header["engine"])
        with engine.scratch(extracted.database, Path(tmp)) as scratch:
            ((seal_id, blob),) = scratch.select(
                Contact._meta.db_table, ["seal_id", "sealed"], "id", contact.pk
            )
    assert b"Hanne" not in bytes(blob)
    with pytest.raises(TenantKeyDestroyed):
        open_record_raw(Contact, a.pk, uuid.UUID(str(seal_id)), bytes(blob))


def test_restore_tenant_refuses_a_shredded_tenant(personas: Personas, backup_dirs: Path) -> None:
    a = personas.tenant_a
    Contact.objects.create(tenant=a, name="Ida Isaksen")
    run = actions.create_backup()
    shredding.shred(a)
    Contact.objects.for_tenant(a).delete()

    with pytest.raises(CommandError, match="crypto-shredded"):
        call_command("backup", "restore-tenant", run.backup_id, "--tenant", a.slug)
    assert not Contact.objects.for_tenant(a).exists()
