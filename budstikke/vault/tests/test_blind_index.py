from __future__ import annotations

import pytest
from django.db import connection

from budstikke.tenants.models import Tenant
from budstikke.vault.errors import EncryptedFieldMisuse, MissingTenantContext
from budstikke.vault.fields import INDEX_BYTES
from tests.specimens.models import Contact


def test_it_finds_an_email_whatever_its_case(alice_co: Tenant) -> None:
    karen = Contact.objects.create(tenant=alice_co, name="Karen", email="Karen.B@Example.DK")
    Contact.objects.create(tenant=alice_co, name="Other", email="other@example.dk")

    found = Contact.objects.for_tenant(alice_co).find(email="  karen.b@example.dk ")

    assert [c.pk for c in found] == [karen.pk]


@pytest.mark.parametrize("query", ["+45 12 34 56 78", "12345678", "0045 1234 5678", "+4512345678"])
def test_it_finds_a_phone_number_in_any_format(alice_co: Tenant, query: str) -> None:
    karen = Contact.objects.create(tenant=alice_co, name="Karen", phone="12 34 56 78")

    assert [c.pk for c in Contact.objects.for_tenant(alice_co).find(phone=query)] == [karen.pk]


def test_it_finds_a_cvr_number_with_or_without_spacing(alice_co: Tenant) -> None:
    company = Contact.objects.create(tenant=alice_co, name="Firma", cvr="DK-1234 5678")

    assert Contact.objects.for_tenant(alice_co).find(cvr="12345678") == [company]


def test_it_never_finds_another_tenants_rows(alice_co: Tenant, bob_co: Tenant) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen", email="karen@example.dk")
    Contact.objects.create(tenant=bob_co, name="Bob", email="bob@example.dk")

    assert Contact.objects.for_tenant(bob_co).find(email="karen@example.dk") == []


def test_it_gives_tenants_unrelated_indexes_for_the_same_value(
    alice_co: Tenant, bob_co: Tenant
) -> None:
    alices = Contact.objects.create(tenant=alice_co, name="K", email="same@example.dk")
    bobs = Contact.objects.create(tenant=bob_co, name="K", email="same@example.dk")

    assert alices.email_index != bobs.email_index
    assert len(alices.email_index) == INDEX_BYTES * 2


def test_it_filters_out_index_collisions_after_decrypting(alice_co: Tenant) -> None:
    karen = Contact.objects.create(tenant=alice_co, name="Karen", email="karen@example.dk")
    other = Contact.objects.create(tenant=alice_co, name="Other", email="other@example.dk")
    with connection.cursor() as cursor:  # an attacker (or a 64-bit collision) equalises them
        cursor.execute(
            f"UPDATE {Contact._meta.db_table} SET email_index = %s WHERE id = %s",  # noqa: S608
            [karen.email_index, other.pk],
        )

    found = Contact.objects.for_tenant(alice_co).find(email="karen@example.dk")

    assert [c.pk for c in found] == [karen.pk]


def test_it_updates_the_index_when_the_value_changes(alice_co: Tenant) -> None:
    karen = Contact.objects.create(tenant=alice_co, name="Karen", email="old@example.dk")

    karen.email = "new@example.dk"
    karen.save()

    scoped = Contact.objects.for_tenant(alice_co)
    assert scoped.find(email="old@example.dk") == []
    assert [c.pk for c in scoped.find(email="new@example.dk")] == [karen.pk]


def test_it_needs_a_tenant_to_search(alice_co: Tenant) -> None:
    with pytest.raises(MissingTenantContext):
        Contact.objects.filter(tenant=alice_co).find(email="karen@example.dk")  # type: ignore[attr-defined]


def test_it_refuses_to_search_a_field_without_index(alice_co: Tenant) -> None:
    with pytest.raises(EncryptedFieldMisuse):
        Contact.objects.for_tenant(alice_co).find(name="Karen")
