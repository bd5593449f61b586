"""The migrations that moved per-field ciphertext columns into the sealed record: every
value written in the old format reads the same from the record afterwards."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps.registry import Apps
from django.db import connection, models

from budstikke.tenants.models import Tenant
from budstikke.vault import keys, legacy, shredding
from budstikke.vault.fields import open_record_raw, unpack_record
from budstikke.vault.legacy import EncryptedColumn, FoldIntoRecord

pytestmark = pytest.mark.django_db(transaction=True)

isolated = Apps(["tests.specimens"])


class OldContact(models.Model):
    """A row as the old migrations left it: a ciphertext column per field, and the new,
    still empty `sealed` column the fold fills."""

    tenant_id = models.IntegerField()
    seal_id = models.UUIDField(default=uuid.uuid4)
    sealed = models.BinaryField(null=True)
    name = EncryptedColumn(max_length=200)
    notes = EncryptedColumn(null=True)
    address = EncryptedColumn(null=True)

    objects: models.Manager[OldContact] = models.Manager()

    class Meta:
        app_label = "specimens"
        db_table = "vault_test_oldcontact"
        apps = isolated

    def __str__(self) -> str:
        return f"old contact {self.pk}"


@pytest.fixture
def old_table() -> Iterator[None]:
    with connection.schema_editor() as editor:
        editor.create_model(OldContact)
    yield
    with connection.schema_editor() as editor:
        editor.delete_model(OldContact)


def _old_row(tenant: Tenant, **values: Any) -> OldContact:
    """Sealed as the per-field format did: the field's label in the associated data."""
    seal_id = uuid.uuid4()
    columns = {}
    for name, value in values.items():
        if name == "address":  # EncryptedJSONField's encoding
            plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        else:
            plain = value.encode()
        context = legacy._field_context(f"specimens.oldcontact.{name}", tenant.pk, seal_id)
        columns[name] = legacy._seal(tenant.pk, plain, context)
    return OldContact.objects.create(tenant_id=tenant.pk, seal_id=seal_id, **columns)


def _fold() -> None:
    operation = FoldIntoRecord("oldcontact", ["name", "notes", "address"])
    operation._app_label = "specimens"
    apps = SimpleNamespace(get_model=lambda app_label, name: OldContact)
    operation.fold(apps, SimpleNamespace(connection=connection))


def _record(row: OldContact) -> dict[str, Any]:
    row.refresh_from_db()
    assert row.sealed is not None
    return unpack_record(open_record_raw(OldContact, row.tenant_id, row.seal_id, bytes(row.sealed)))


def test_every_old_value_reads_the_same_from_the_record(
    old_table: None, alice_co: Tenant, bob_co: Tenant
) -> None:
    alices = _old_row(
        alice_co,
        name="Åse Ørsted",
        notes="Bagdør\nRing to gange",
        address={"street": "Nørregade 1"},
    )
    bobs = _old_row(bob_co, name="Bo Bech")

    _fold()

    assert _record(alices) == {
        "name": "Åse Ørsted",
        "notes": "Bagdør\nRing to gange",
        "address": '{"street":"Nørregade 1"}',  # JSON fields keep their JSON text
    }
    assert _record(bobs) == {"name": "Bo Bech", "notes": None, "address": None}
    stored = OldContact.objects.get(pk=bobs.pk).sealed
    assert stored is not None
    assert b"Bech" not in bytes(stored)


def test_a_shredded_tenants_rows_get_no_record(
    old_table: None, alice_co: Tenant, bob_co: Tenant
) -> None:
    gone = _old_row(alice_co, name="Forladt Firma")
    kept = _old_row(bob_co, name="Bo Bech")
    shredding.shred(alice_co)
    keys.reset()

    _fold()

    gone.refresh_from_db()
    assert gone.sealed is None
    assert _record(kept)["name"] == "Bo Bech"
