"""A backup from before an erasure brings the person back; the erasure journal, kept
outside the database, erases them again as part of the restore."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from budstikke.backups import actions
from budstikke.backups.testing import installation_in_file
from budstikke.privacy import dsr, dsr_journal, dsr_search
from budstikke.privacy.dsr_testing import ANNA, ANNA_EMAIL, make_world
from budstikke.shipments.models import Shipment
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def backup_dirs(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_TARGET = "local"
    (tmp_path / "data").mkdir()
    return tmp_path


def test_restoring_a_tenant_erases_the_person_again(personas: Personas, backup_dirs: Path) -> None:
    world = make_world(personas)
    run = actions.create_backup()
    dsr.erase(personas.tenant_a, personas.alice, "email", ANNA_EMAIL)

    call_command(
        "backup",
        "restore-tenant",
        run.backup_id,
        "--tenant",
        personas.tenant_a.slug,
        stdout=StringIO(),
    )

    found = dsr_search.find(personas.tenant_a, "email", ANNA_EMAIL)
    assert not found.deliveries
    assert not found.customers
    assert not found.contacts
    erased = Shipment.objects.for_tenant(personas.tenant_a).get(pk=world.deliveries[0].pk)
    assert erased.recipient_name == ""
    assert erased.recipient_name_index is None
    hanna = Shipment.objects.for_tenant(personas.tenant_a).get(pk=world.others[0].pk)
    assert hanna.recipient_name == "Hanna Hansen"
    again = dsr_journal.reapply()
    assert again.applied == 0
    assert again.unchanged > 0


def test_a_dry_run_of_a_tenant_restore_changes_nothing(
    personas: Personas, backup_dirs: Path
) -> None:
    world = make_world(personas)
    run = actions.create_backup()
    dsr.erase(personas.tenant_a, personas.alice, "email", ANNA_EMAIL)
    Shipment.objects.filter(pk=world.others[0].pk).update(reference="LATER")

    call_command(
        "backup",
        "restore-tenant",
        run.backup_id,
        "--tenant",
        personas.tenant_a.slug,
        "--dry-run",
        stdout=StringIO(),
    )

    assert Shipment.objects.for_tenant(personas.tenant_a).get(pk=world.others[0].pk).reference
    assert not dsr_search.find(personas.tenant_a, "name", ANNA).deliveries


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite swaps the database file")
def test_restoring_the_installation_erases_the_person_again(
    personas: Personas, backup_dirs: Path
) -> None:
    world = make_world(personas)
    database = backup_dirs / "data" / "db.sqlite3"
    manage = installation_in_file(backup_dirs / "data", backup_dirs / "backups")

    backup_id = manage("backup", "create").split()[1]
    manage(
        "shell",
        "-c",
        "from budstikke.privacy import dsr; from budstikke.tenants.models import Tenant; "
        "from budstikke.accounts.models import User; "
        f"dsr.erase(Tenant.objects.get(pk={personas.tenant_a.pk}), "
        f"User.objects.get(pk={personas.alice.pk}), 'email', '{ANNA_EMAIL}')",
    )

    output = manage("backup", "restore", backup_id, "--yes")

    applied = re.search(r"erasure journal: (\d+) erasure\(s\) applied again", output)
    assert applied is not None, output
    assert int(applied.group(1)) > 0
    ids = ",".join(str(s.pk) for s in world.deliveries)
    with closing(sqlite3.connect(database)) as live:
        indexes = live.execute(
            "SELECT recipient_email_index, recipient_name_index FROM shipments_shipment "  # noqa: S608
            f"WHERE id IN ({ids})"
        ).fetchall()
        others = live.execute(
            "SELECT COUNT(*) FROM shipments_shipment WHERE recipient_name_index IS NOT NULL"
        ).fetchone()[0]
    assert indexes == [(None, None)] * len(world.deliveries)
    assert others >= len(world.others) + len(world.pickups)
