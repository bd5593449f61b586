from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection

from budstikke.core.clock import ClockControl
from budstikke.tenants.models import Tenant
from budstikke.vault import keys, shredding
from budstikke.vault.errors import TenantKeyDestroyed
from tests.specimens.models import Contact, Note

TABLES = (Contact._meta.db_table, Note._meta.db_table)


def _take_backup(database_file: Path | None, target: Path) -> None:
    """SQLite: a copy of the database file. PostgreSQL: a copy of the tables' rows."""
    if database_file is not None:
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
        return
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"CREATE TABLE backup_{table} AS SELECT * FROM {table}")  # noqa: S608


def _restore_backup(database_file: Path | None, source: Path) -> None:
    if database_file is not None:
        connection.close()
        for leftover in database_file.parent.glob(database_file.name + "-*"):
            leftover.unlink()
        shutil.copyfile(source, database_file)
        return
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            cursor.execute(f"INSERT INTO {table} SELECT * FROM backup_{table}")  # noqa: S608
            cursor.execute(f"DROP TABLE backup_{table}")


@pytest.mark.django_db(transaction=True)
def test_an_old_backup_restored_after_shredding_reveals_nothing_of_the_tenant(
    database_file: Path | None, alice_co: Tenant, bob_co: Tenant, tmp_path: Path
) -> None:
    Contact.objects.create(tenant=alice_co, name="Alices kunde", email="a@example.dk")
    Note.objects.create(tenant=alice_co, body="Alices note")
    Contact.objects.create(tenant=bob_co, name="Bobs kunde", email="b@example.dk")
    _take_backup(database_file, tmp_path / "old-backup.sqlite3")

    shredding.shred(alice_co)
    _restore_backup(database_file, tmp_path / "old-backup.sqlite3")

    alices = Contact.objects.for_tenant(alice_co).get()  # the row is back...
    with pytest.raises(TenantKeyDestroyed):
        _ = alices.name  # ...but it cannot be read
    with pytest.raises(TenantKeyDestroyed):
        _ = Note.objects.for_tenant(alice_co).get().body
    with pytest.raises(TenantKeyDestroyed):
        Contact.objects.for_tenant(alice_co).find(email="a@example.dk")
    assert Contact.objects.for_tenant(bob_co).get().name == "Bobs kunde"
    assert Contact.objects.for_tenant(bob_co).find(email="b@example.dk")


@pytest.mark.django_db
def test_shredding_evicts_the_key_this_process_had_cached(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen")
    assert Contact.objects.for_tenant(alice_co).get().name == "Karen"  # key now cached

    assert shredding.shred(alice_co) == 1

    with pytest.raises(TenantKeyDestroyed):
        _ = Contact.objects.for_tenant(alice_co).get(pk=contact.pk).name


@pytest.mark.django_db
def test_shredding_stops_a_row_this_process_is_already_reading(alice_co: Tenant) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen", signature=b"PNG")
    loaded = Contact.objects.for_tenant(alice_co).get()
    unread = Contact.objects.for_tenant(alice_co).get()
    assert loaded.name == "Karen"  # the row now holds its tenant's key

    shredding.shred(alice_co)

    with pytest.raises(TenantKeyDestroyed):
        _ = loaded.signature
    with pytest.raises(TenantKeyDestroyed):
        _ = unread.name


@pytest.mark.django_db
def test_shredding_destroys_every_version(alice_co: Tenant) -> None:
    scope = keys.tenant_scope(alice_co.pk)
    Contact.objects.create(tenant=alice_co, name="v1")
    keys.add_version(scope)
    Contact.objects.create(tenant=alice_co, name="v2")

    assert shredding.shred(alice_co) == 2

    assert shredding.is_shredded(alice_co)
    assert all(r.wrapped is None for r in keys.keyring().records(scope))
    for contact in Contact.objects.for_tenant(alice_co):
        with pytest.raises(TenantKeyDestroyed):
            _ = contact.name


@pytest.mark.django_db
def test_a_shredded_tenant_cannot_write_new_data(alice_co: Tenant) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen")
    shredding.shred(alice_co)

    with pytest.raises(TenantKeyDestroyed):
        Contact.objects.create(tenant=alice_co, name="Ny")


@pytest.mark.django_db
def test_the_shredded_key_leaves_the_keyring_file(alice_co: Tenant) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen")
    scope = keys.tenant_scope(alice_co.pk)
    (record,) = keys.keyring().records(scope)
    assert record.wrapped is not None
    assert record.wrapped in keys.keyring().path.read_bytes()

    shredding.shred(alice_co)

    assert record.wrapped not in keys.keyring().path.read_bytes()


@pytest.mark.django_db
def test_keyring_backups_holding_a_shredded_key_age_out(
    alice_co: Tenant, clock: type[ClockControl]
) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen")
    (record,) = keys.keyring().records(keys.tenant_scope(alice_co.pk))
    retention = timedelta(days=7)
    old = keys.keyring().backup(retention)
    assert record.wrapped is not None
    assert record.wrapped in old.read_bytes()

    shredding.shred(alice_co)
    clock.advance(timedelta(days=6))
    keys.keyring().backup(retention)
    assert old.exists()  # within the stated window the key can still be restored
    clock.advance(timedelta(days=1, seconds=1))
    keys.keyring().backup(retention)

    assert not old.exists()
    assert all(record.wrapped not in b.read_bytes() for b in keys.keyring().backups())
