"""An attacker with write access to the database moves ciphertext around: nothing opens."""

from __future__ import annotations

import pytest
from django.db import connection

from budstikke.tenants.models import Tenant
from budstikke.vault.errors import DecryptionFailed
from tests.specimens.models import Contact, Note

TABLE = Contact._meta.db_table


def _copy(source_pk: int, source_column: str, target_pk: int, target_column: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET {target_column} = "  # noqa: S608
            f"(SELECT {source_column} FROM {TABLE} WHERE id = %s) WHERE id = %s",
            [source_pk, target_pk],
        )


def test_it_refuses_ciphertext_copied_to_another_row(alice_co: Tenant) -> None:
    secret = Contact.objects.create(tenant=alice_co, name="Hemmelig Hansen")
    other = Contact.objects.create(tenant=alice_co, name="Anden Andersen")

    _copy(secret.pk, "sealed", other.pk, "sealed")

    with pytest.raises(DecryptionFailed):
        _ = Contact.objects.for_tenant(alice_co).get(pk=other.pk).name


def test_it_refuses_ciphertext_copied_to_another_field(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Hemmelig", signature=b"\x89PNG")
    other = Contact.objects.create(tenant=alice_co, name="Anden", signature=b"\x89PNG")

    _copy(contact.pk, "sealed", contact.pk, "signature")
    _copy(other.pk, "signature", other.pk, "sealed")

    loaded = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    assert loaded.name == "Hemmelig"
    with pytest.raises(DecryptionFailed):
        _ = loaded.signature
    with pytest.raises(DecryptionFailed):
        _ = Contact.objects.for_tenant(alice_co).get(pk=other.pk).name


def test_it_refuses_ciphertext_copied_to_another_tenant(alice_co: Tenant, bob_co: Tenant) -> None:
    alices = Contact.objects.create(tenant=alice_co, name="Alices kunde")
    bobs = Contact.objects.create(tenant=bob_co, name="Bobs kunde")

    _copy(alices.pk, "sealed", bobs.pk, "sealed")

    with pytest.raises(DecryptionFailed):
        _ = Contact.objects.for_tenant(bob_co).get(pk=bobs.pk).name


def test_it_refuses_a_row_moved_to_another_tenant(alice_co: Tenant, bob_co: Tenant) -> None:
    alices = Contact.objects.create(tenant=alice_co, name="Alices kunde")
    Contact.objects.create(tenant=bob_co, name="Bobs kunde")

    Contact.objects.filter(pk=alices.pk).update(tenant=bob_co)

    with pytest.raises(DecryptionFailed):
        _ = Contact.objects.for_tenant(bob_co).get(pk=alices.pk).name


def test_it_refuses_ciphertext_copied_to_another_model(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, notes="Kodeord til porten: 1234")
    note = Note.objects.create(tenant=alice_co, body="harmless")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Note._meta.db_table} SET sealed = (SELECT sealed FROM {TABLE} "  # noqa: S608
            f"WHERE id = %s), seal_id = (SELECT seal_id FROM {TABLE} WHERE id = %s) WHERE id = %s",
            [contact.pk, contact.pk, note.pk],
        )

    with pytest.raises(DecryptionFailed):
        _ = Note.objects.for_tenant(alice_co).get(pk=note.pk).body


def test_it_refuses_a_flipped_bit(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen")
    loaded = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    blob = bytearray(loaded.__dict__["sealed"])
    blob[-1] ^= 0x80
    loaded.__dict__["sealed"] = bytes(blob)

    with pytest.raises(DecryptionFailed):
        _ = loaded.name


def test_it_refuses_a_record_cut_short(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen", notes="Lang note " * 20)
    loaded = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    loaded.__dict__["sealed"] = loaded.__dict__["sealed"][:-40]

    with pytest.raises(DecryptionFailed):
        _ = loaded.notes
