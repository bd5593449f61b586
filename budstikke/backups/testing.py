"""Test helpers for backups: the test database copied into a real file, and `manage.py` run
against it in a subprocess, as an operator restoring an installation would."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.db import connection


def installation_in_file(data: Path, backups: Path) -> Callable[..., str]:
    """Copy the SQLite test database into `data/db.sqlite3` and return `manage(*args)`, which
    runs a management command against that copy (same keys directory) and returns its
    output; a failing command fails the test with its stderr."""
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
        "BUDSTIKKE_BACKUP_DIR": str(backups),
        "BUDSTIKKE_BACKUP_TARGET": "local",
        "LOG_LEVEL": "ERROR",
    }

    def manage(*args: str) -> str:
        done = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    return manage
