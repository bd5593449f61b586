"""The real restore command, on SQLite: a backup from before a tenant was purged is switched
in, and the restore itself deletes that tenant's rows again (its keys stay destroyed)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from django.db import connection

from budstikke.backups.testing import installation_in_file
from budstikke.customers.actions import create_customer
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite swaps the database file")
def test_restoring_a_backup_from_before_offboarding_brings_none_of_it_back(
    personas: Personas, tmp_path: Path
) -> None:
    create_customer(tenant=personas.tenant_a, name="Alfa Canary ApS", email="c@alfa.example")
    create_customer(tenant=personas.tenant_b, name="Beta Kunde ApS")
    data = tmp_path / "data"
    data.mkdir()
    database = data / "db.sqlite3"
    manage = installation_in_file(data, tmp_path / "backups")

    backup_id = manage("backup", "create").split()[1]
    assert "certificate DC-" in manage("tenant", "offboard", personas.tenant_a.slug, "--now")

    output = manage("backup", "restore", backup_id, "--yes")

    assert "restored rows deleted again" in output
    a, b = personas.tenant_a.pk, personas.tenant_b.pk
    with closing(sqlite3.connect(database)) as live:
        count = "SELECT count(*) FROM {} WHERE tenant_id = ?"
        assert live.execute(count.format("customers_customer"), [a]).fetchone()[0] == 0
        assert live.execute(count.format("tenants_membership"), [a]).fetchone()[0] == 0
        assert live.execute(count.format("customers_customer"), [b]).fetchone()[0] == 1
        status = live.execute("SELECT status FROM tenants_tenant WHERE id = ?", [a]).fetchone()
        assert status == ("purged",)
