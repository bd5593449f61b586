from __future__ import annotations

import pickle
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection

from budstikke.tenants.models import Tenant
from budstikke.vault import fields
from budstikke.vault.errors import EncryptedFieldMisuse, MissingTenantContext
from budstikke.vault.fields import Ciphertext
from tests.specimens.models import Contact


def _raw_column(contact: Contact, column: str) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {Contact._meta.db_table} WHERE id = %s",  # noqa: S608
            [contact.pk],
        )
        return bytes(cursor.fetchone()[0])


def test_it_round_trips_every_kind_of_field(alice_co: Tenant) -> None:
    created = Contact.objects.create(
        tenant=alice_co,
        name="Åse Ørsted",
        email="aase@example.dk",
        notes="Ring på døren to gange\nBagdøren er låst",
        address={"street": "Nørregade 1", "postcode": "8000", "floors": [1, 2]},
        signature=b"\x89PNG\r\n\x1a\n\x00\x01",
    )

    loaded = Contact.objects.for_tenant(alice_co).get(pk=created.pk)

    assert loaded.name == "Åse Ørsted"
    assert loaded.email == "aase@example.dk"
    assert loaded.notes == "Ring på døren to gange\nBagdøren er låst"
    assert loaded.address == {"street": "Nørregade 1", "postcode": "8000", "floors": [1, 2]}
    assert loaded.signature == b"\x89PNG\r\n\x1a\n\x00\x01"
    assert loaded.cvr == ""


def test_it_stores_only_versioned_ciphertext(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen Blixen", signature=b"PNG")

    stored = _raw_column(contact, "sealed")

    assert b"Karen" not in stored
    assert stored[0] == 0x01  # format byte
    assert int.from_bytes(stored[1:5]) == 1  # key version
    signature = _raw_column(contact, "signature")
    assert signature[0] == 0x01
    assert len(signature) == 5 + 12 + len(b"PNG") + 16


def test_it_uses_a_fresh_nonce_for_every_write(alice_co: Tenant) -> None:
    first = Contact.objects.create(tenant=alice_co, name="Same Name")
    second = Contact.objects.create(tenant=alice_co, name="Same Name")
    before = _raw_column(first, "sealed")

    first.name = "Other Name"
    first.save()
    first.name = "Same Name"
    first.save()

    assert before != _raw_column(second, "sealed")
    assert before[5:17] != _raw_column(first, "sealed")[5:17]


def test_it_keeps_null_as_null(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="N")

    loaded = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)

    assert loaded.address is None
    assert loaded.signature is None
    assert Contact.objects.for_tenant(alice_co).filter(signature__isnull=True).count() == 1


def test_it_refuses_to_write_without_a_tenant() -> None:
    contact = Contact(name="Nobody's")

    with pytest.raises(MissingTenantContext):
        Contact._meta.get_field("sealed").pre_save(contact, add=True)


def test_it_refuses_to_read_without_a_tenant(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen")
    loaded = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    loaded.tenant_id = None

    with pytest.raises(MissingTenantContext):
        _ = loaded.name


def test_it_gives_values_as_opaque_ciphertext_never_plaintext(alice_co: Tenant) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen Blixen", signature=b"Karen's pen")
    rows = Contact.objects.for_tenant(alice_co)

    with pytest.raises(EncryptedFieldMisuse):
        rows.values_list("name", flat=True).get()
    ((record, signature),) = rows.values_list("sealed", "signature")

    assert b"Karen" not in bytes(record)
    assert isinstance(signature, Ciphertext)
    assert "Karen" not in repr(signature)


def test_it_refuses_lookups_by_plaintext(alice_co: Tenant) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen")

    with pytest.raises(EncryptedFieldMisuse):
        list(Contact.objects.for_tenant(alice_co).filter(name="Karen"))
    with pytest.raises(EncryptedFieldMisuse):
        list(Contact.objects.for_tenant(alice_co).filter(name__icontains="kar"))


def test_it_refuses_update_with_plaintext(alice_co: Tenant) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen")

    with pytest.raises(EncryptedFieldMisuse):
        Contact.objects.for_tenant(alice_co).update(name="Changed")

    assert Contact.objects.for_tenant(alice_co).get().name == "Karen"


def test_it_decrypts_deferred_fields_on_access(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen", notes="Bagdør")

    loaded = (
        Contact.objects.for_tenant(alice_co)
        .only("id", "tenant", "seal_id", "name")
        .get(pk=contact.pk)
    )

    assert loaded.notes == "Bagdør"


def test_it_writes_through_bulk_create(alice_co: Tenant) -> None:
    Contact.objects.bulk_create([Contact(tenant=alice_co, name=f"Person {n}") for n in range(3)])

    names = sorted(c.name for c in Contact.objects.for_tenant(alice_co))

    assert names == ["Person 0", "Person 1", "Person 2"]


def test_it_validates_the_plaintext_length(alice_co: Tenant) -> None:
    contact = Contact(tenant=alice_co, name="x" * 201)

    with pytest.raises(ValidationError) as caught:
        contact.full_clean()

    assert "name" in caught.value.message_dict


def test_it_keeps_unread_fields_byte_identical_on_save(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen", notes="Bagdør")
    before = _raw_column(contact, "sealed")
    loaded = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)

    loaded.reference = "ref-1"
    loaded.save()
    assert loaded.name == "Karen"  # read, not changed
    loaded.save()

    assert _raw_column(contact, "sealed") == before
    assert Contact.objects.for_tenant(alice_co).get(pk=contact.pk).reference == "ref-1"


def test_a_list_opens_each_row_once_however_many_fields_it_shows(
    alice_co: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        Contact.objects.create(tenant=alice_co, name=f"P{n}", email=f"p{n}@x.dk", notes="n")
    opened: list[bytes] = []
    real = fields._open

    def counting(row: Any, blob: bytes, context: bytes) -> bytes:
        opened.append(context)
        return real(row, blob, context)

    monkeypatch.setattr(fields, "_open", counting)

    shown = [(c.name, c.email, c.notes, c.cvr) for c in Contact.objects.for_tenant(alice_co)]

    assert len(shown) == 3
    assert len(opened) == 3


def test_save_with_update_fields_seals_the_record_and_its_index(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen", email="karen@old.dk")
    loaded = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)

    loaded.email = "Karen@New.dk"
    loaded.save(update_fields=["email"])

    again = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    assert (again.name, again.email) == ("Karen", "Karen@New.dk")
    assert Contact.objects.for_tenant(alice_co).find(email="karen@new.dk") == [again]
    assert Contact.objects.for_tenant(alice_co).find(email="karen@old.dk") == []


def test_two_copies_saving_different_record_fields_keep_both_changes(alice_co: Tenant) -> None:
    contact = Contact.objects.create(
        tenant=alice_co, name="Karen", email="karen@old.dk", notes="Bagdør"
    )
    office = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    sync = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    assert (office.name, sync.name) == ("Karen", "Karen")  # both opened before either saves

    office.name = "Karen Blixen"
    office.save(update_fields=["name"])
    sync.email = "karen@new.dk"
    sync.save(update_fields=["email"])

    again = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    assert (again.name, again.email, again.notes) == ("Karen Blixen", "karen@new.dk", "Bagdør")
    assert Contact.objects.for_tenant(alice_co).find(email="karen@new.dk") == [again]
    assert Contact.objects.for_tenant(alice_co).find(email="karen@old.dk") == []


def test_after_update_fields_unread_record_fields_read_what_is_stored(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen", email="karen@old.dk")
    sync = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)  # nothing read yet
    contact.name = "Karen Blixen"
    contact.save(update_fields=["name"])

    sync.email = "karen@new.dk"
    sync.save(update_fields=["email"])

    assert (sync.name, sync.email) == ("Karen Blixen", "karen@new.dk")
    sync.save()  # a full save writes what the instance holds: both changes
    again = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    assert (again.name, again.email) == ("Karen Blixen", "karen@new.dk")


def test_update_fields_does_not_write_record_fields_it_does_not_name(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen", email="karen@old.dk")
    loaded = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)

    loaded.name = "Karen B."
    loaded.email = "not@saved.dk"
    loaded.save(update_fields=["name"])

    again = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    assert (again.name, again.email) == ("Karen B.", "karen@old.dk")
    assert Contact.objects.for_tenant(alice_co).find(email="not@saved.dk") == []
    # as for columns, the instance keeps the value, and a full save writes it
    assert loaded.email == "not@saved.dk"
    loaded.save()
    assert Contact.objects.for_tenant(alice_co).find(email="not@saved.dk") == [again]


def test_update_fields_mixing_record_fields_and_columns_writes_both(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen", reference="A-1")
    loaded = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    stored = _raw_column(contact, "sealed")

    loaded.reference = "A-2"
    loaded.save(update_fields=["reference", "notes"])  # notes unchanged: record kept as is

    assert _raw_column(contact, "sealed") == stored
    loaded.notes = "Bagdør"
    loaded.save(update_fields=["reference", "notes"])
    again = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    assert (again.name, again.notes, again.reference) == ("Karen", "Bagdør", "A-2")


def test_update_fields_of_a_deleted_row_fails_as_for_columns(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen")
    loaded = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    Contact.objects.for_tenant(alice_co).filter(pk=contact.pk).delete()

    loaded.name = "Karen B."
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        loaded.save(update_fields=["name"])


def test_a_field_set_on_a_row_loaded_without_its_record_keeps_the_others(
    alice_co: Tenant,
) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen", notes="Bagdør")
    partial = Contact.objects.for_tenant(alice_co).only("id", "tenant", "seal_id").get()

    partial.name = "Karen B."
    partial.save()

    again = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    assert (again.name, again.notes) == ("Karen B.", "Bagdør")


def test_refresh_from_db_reads_the_new_record(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen", notes="før")
    other_copy = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    assert other_copy.notes == "før"
    contact.notes = "efter"
    contact.save()

    other_copy.refresh_from_db()

    assert other_copy.notes == "efter"


def test_a_read_row_pickles_without_its_keys(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen", notes="Bagdør")
    loaded = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    assert loaded.name == "Karen"

    copy = pickle.loads(pickle.dumps(loaded))  # noqa: S301 - our own bytes

    assert copy.name == "Karen"
    assert copy.notes == "Bagdør"
