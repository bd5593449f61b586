"""The real restore command, on SQLite: a backup from before a tenant was purged is switched
in, and the restore itself deletes that tenant's rows again (its keys stay destroyed)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

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
    connection.ensure_connection()
    with closing(sqlite3.connect(database)) as copy:
        connection.connection.backup(copy)
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "BUDSTIKKE_DATA_DIR": str(data),
        "BUDSTIKKE_KEYS_DIR": str(settings.KEYS_DIR),
        "BUDSTIKKE_BACKUP_DIR": str(tmp_path / "backups"),
        "BUDSTIKKE_BACKUP_TARGET": "local",
        "LOG_LEVEL": "ERROR",
    }

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

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
