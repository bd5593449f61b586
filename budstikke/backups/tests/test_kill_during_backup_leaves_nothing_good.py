"""`kill -9` of the process making a backup, at the moment its archive is half written or
being drilled, leaves no backup that counts: no manifest, no archive under its final name,
and a journal entry that never says good."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from budstikke.backups import actions
from budstikke.backups.models import BackupRun
from budstikke.backups.tests.conftest import stored
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db(transaction=True)
FILLER_ROWS = 48  # 1 MiB of incompressible bytes each: long enough to be caught mid-way


def _filler(cursor: object, placeholder: str) -> None:
    cursor.execute("CREATE TABLE backup_test_filler (id integer PRIMARY KEY, blob bytea)")  # type: ignore[attr-defined]
    cursor.executemany(  # type: ignore[attr-defined]
        f"INSERT INTO backup_test_filler (id, blob) VALUES ({placeholder}, {placeholder})",  # noqa: S608
        [(i, os.urandom(1 << 20)) for i in range(FILLER_ROWS)],
    )


def _kill_mid_backup(environment: dict[str, str], work: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "manage.py", "backup", "create"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail("the backup finished before it could be killed")
            if work.is_dir() and any(p.name.endswith(".partial") for p in work.iterdir()):
                os.kill(process.pid, signal.SIGKILL)
                break
            time.sleep(0.001)
        else:
            pytest.fail("the backup never started writing its archive")
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL


def test_kill_9_during_a_backup_leaves_no_backup_marked_good(
    personas: Personas, backup_dirs: Path
) -> None:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "BUDSTIKKE_DATA_DIR": str(backup_dirs / "data"),
        "BUDSTIKKE_KEYS_DIR": str(settings.KEYS_DIR),
        "BUDSTIKKE_BACKUP_DIR": str(backup_dirs / "backups"),
        "LOG_LEVEL": "ERROR",
    }
    work = backup_dirs / "backups" / ".work"
    if connection.vendor == "sqlite":
        # The test database lives in memory: the worker gets a file copy of it.
        database = backup_dirs / "data" / "db.sqlite3"
        connection.ensure_connection()
        with closing(sqlite3.connect(database)) as copy:
            connection.connection.backup(copy)
            _filler(copy, "?")
            copy.commit()
        environment["DATABASE_URL"] = f"sqlite:///{database}"
        _kill_mid_backup(environment, work)
        with closing(sqlite3.connect(database)) as copy:
            statuses = [row[0] for row in copy.execute("SELECT status FROM backups_backuprun")]
        assert statuses == ["running"]
    else:
        conf = connection.settings_dict
        environment["DATABASE_URL"] = (
            f"postgres://{conf['USER']}@{conf['HOST']}:{conf['PORT']}/{conf['NAME']}"
        )
        with connection.cursor() as cursor:
            _filler(cursor, "%s")
        try:
            _kill_mid_backup(environment, work)
            assert list(BackupRun.objects.values_list("status", flat=True)) == ["running"]
            # The next look at the backups marks the dead run abandoned, never good.
            assert actions.list_backups() == []
            assert list(BackupRun.objects.values_list("status", flat=True)) == ["abandoned"]
        finally:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE backup_test_filler")

    assert stored(backup_dirs) == []
    assert not list((backup_dirs / "backups").glob("*.bsb"))
    assert not list((backup_dirs / "backups").glob("*.manifest.json"))
