"""Wrapped keys live in the keys directory, never in the application database."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from budstikke.tenants.models import Tenant
from budstikke.vault import keys, platform
from budstikke.vault.tests.dumps import database_bytes
from tests.specimens.models import Contact


@pytest.mark.django_db(transaction=True)
def test_no_key_reaches_the_application_database(
    database_file: Path | None, alice_co: Tenant, bob_co: Tenant
) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen")
    Contact.objects.create(tenant=bob_co, name="Bob")
    platform.seal_text("totp", purpose="mfa.totp")
    records = keys.keyring().records()
    secrets = [r.wrapped for r in records if r.wrapped]
    secrets += [keys.key(r.scope, r.version)._raw for r in records]
    secrets += [p.read_bytes().strip() for p in Path(settings.KEYS_DIR).glob("kek-*.key")]

    dump = database_bytes(database_file)

    assert len(secrets) == 3 + 3 + 1
    for secret in secrets:
        assert secret not in dump
        assert base64.b64encode(secret) not in dump
        assert secret.hex().encode() not in dump


@pytest.mark.django_db
def test_the_keyring_is_its_own_file_in_the_keys_directory(alice_co: Tenant) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen")

    ring = keys.keyring().path
    assert ring.parent == Path(settings.KEYS_DIR)
    assert ring.exists()
    assert str(ring) != str(connection.settings_dict["NAME"])
    tables = connection.introspection.table_names()
    assert not [t for t in tables if t.startswith("vault")]
