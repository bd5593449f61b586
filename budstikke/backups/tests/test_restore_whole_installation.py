from __future__ import annotations

import sqlite3
from contextlib import closing
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from budstikke.backups import actions, engines
from budstikke.backups.testing import installation_in_file
from budstikke.tenants.models import Membership
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db(transaction=True)


def test_nothing_changes_without_confirmation(
    personas: Personas, backup_dirs: Path, monkeypatch: Any
) -> None:
    run = actions.create_backup()
    Membership.objects.filter(tenant=personas.tenant_a).delete()
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="not confirmed"):
        call_command("backup", "restore", run.backup_id, stdout=StringIO())
    assert not Membership.objects.filter(tenant=personas.tenant_a).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite swaps the database file")
def test_sqlite_restore_swaps_the_file_and_keeps_the_old_one(
    personas: Personas, backup_dirs: Path
) -> None:
    database = backup_dirs / "data" / "db.sqlite3"
    run = installation_in_file(backup_dirs / "data", backup_dirs / "backups")

    def manage(*args: str) -> str:
        return run("backup", *args)

    backup_id = manage("create").split()[1]
    with closing(sqlite3.connect(database)) as live:
        live.execute("DELETE FROM tenants_membership")
        live.commit()

    output = manage("restore", backup_id, "--yes")

    assert "restart the web server and the worker" in output
    with closing(sqlite3.connect(database)) as live:
        assert live.execute("SELECT count(*) FROM tenants_membership").fetchone()[0] == 4
        assert live.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    (kept,) = (backup_dirs / "data").glob("db.sqlite3.before-restore-*")
    with closing(sqlite3.connect(kept)) as old:
        assert old.execute("SELECT count(*) FROM tenants_membership").fetchone()[0] == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL restores alongside")
def test_postgres_restore_makes_a_new_database_and_says_how_to_switch(
    personas: Personas, backup_dirs: Path
) -> None:
    run = actions.create_backup()
    Membership.objects.filter(tenant=personas.tenant_a).delete()
    out = StringIO()

    call_command("backup", "restore", run.backup_id, "--yes", stdout=out)

    new = next(
        word.strip(';"')
        for word in out.getvalue().split()
        if "_restore_" in word and not word.startswith("ALTER")
    )
    try:
        with closing(engines._pg_connect(new)) as db, db.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tenants_membership")
            assert cursor.fetchone()[0] == 4
        assert "DATABASE_URL" in out.getvalue()
        assert not Membership.objects.filter(tenant=personas.tenant_a).exists()
    finally:
        engines.drop_database(new)
