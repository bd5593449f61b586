from __future__ import annotations

import pickle

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from budstikke.tenants.models import Tenant
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
    contact = Contact.objects.create(tenant=alice_co, name="Karen Blixen")

    stored = _raw_column(contact, "name")

    assert b"Karen" not in stored
    assert stored[0] == 0x01  # format byte
    assert int.from_bytes(stored[1:5]) == 1  # key version
    assert len(stored) == 5 + 12 + len("Karen Blixen") + 16


def test_it_uses_a_fresh_nonce_for_every_write(alice_co: Tenant) -> None:
    first = Contact.objects.create(tenant=alice_co, name="Same Name")
    second = Contact.objects.create(tenant=alice_co, name="Same Name")
    before = _raw_column(first, "name")

    first.save()

    assert before != _raw_column(second, "name")
    assert before[5:17] != _raw_column(first, "name")[5:17]


def test_it_keeps_null_as_null(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="N")

    loaded = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)

    assert loaded.address is None
    assert loaded.signature is None
    assert Contact.objects.for_tenant(alice_co).filter(address__isnull=True).count() == 1


def test_it_refuses_to_write_without_a_tenant() -> None:
    contact = Contact(name="Nobody's")

    with pytest.raises(MissingTenantContext):
        Contact._meta.get_field("name").pre_save(contact, add=True)


def test_it_refuses_to_read_without_a_tenant(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen")
    loaded = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    loaded.tenant_id = None

    with pytest.raises(MissingTenantContext):
        _ = loaded.name


def test_it_gives_values_as_opaque_ciphertext_never_plaintext(alice_co: Tenant) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen Blixen")

    (value,) = Contact.objects.for_tenant(alice_co).values_list("name", flat=True)

    assert isinstance(value, Ciphertext)
    assert "Karen" not in repr(value)


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
    before = _raw_column(contact, "notes")
    loaded = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)

    loaded.reference = "ref-1"
    loaded.save()

    assert _raw_column(contact, "notes") == before


def test_a_read_row_pickles_without_its_keys(alice_co: Tenant) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen", notes="Bagdør")
    loaded = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    assert loaded.name == "Karen"

    copy = pickle.loads(pickle.dumps(loaded))  # noqa: S301 - our own bytes

    assert copy.name == "Karen"
    assert copy.notes == "Bagdør"
