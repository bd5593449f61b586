"""Two tenants, Alice's courier company and Bob's, for every vault test, and a real
database file for tests that read raw bytes or run threads. The keys directory is
already private to each test (root conftest.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from budstikke.tenants.models import Tenant


@pytest.fixture
def alice_co(db: None) -> Tenant:
    return Tenant.objects.create(name="Alice Kurer ApS", slug="alice")


@pytest.fixture
def bob_co(db: None) -> Tenant:
    return Tenant.objects.create(name="Bob Bud A/S", slug="bob")


@pytest.fixture
def database_file(transactional_db: None, tmp_path: Path) -> Iterator[Path | None]:
    """On SQLite, the test database moved into a real file for this test (WAL and busy
    timeout, as in production; the in-memory test database locks whole tables between
    threads). Yields the file, or None on PostgreSQL. Request it before data fixtures."""
    if connection.vendor != "sqlite":
        yield None
        return
    path = tmp_path / "db.sqlite3"
    connection.ensure_connection()
    memory = connection.connection
    with sqlite3.connect(path) as target:
        memory.backup(target)
    target.close()
    settings_dict = connection.settings_dict
    memory_name = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    connection.connection = None
    try:
        yield path
    finally:
        connection.close()
        settings_dict["NAME"] = memory_name
        connection.connection = memory
