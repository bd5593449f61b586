from __future__ import annotations

import base64
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from budstikke.tenants.models import Tenant
from budstikke.vault import keys
from tests.specimens.models import Contact


@pytest.mark.django_db
def test_status_never_prints_key_material(
    alice_co: Tenant, capsys: pytest.CaptureFixture[str]
) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen")
    call_command("vault", "backup-keyring")

    call_command("vault", "status")

    out = capsys.readouterr().out
    assert f"tenant:{alice_co.pk} (alice) v1 current kek=kek-0001" in out
    assert "keyring backups: 1" in out
    assert "kept 7 days" in out
    secrets = [r.wrapped for r in keys.keyring().records() if r.wrapped]
    secrets.append(keys.key(keys.tenant_scope(alice_co.pk), 1)._raw)
    secrets += [p.read_bytes().strip() for p in Path(settings.KEYS_DIR).glob("kek-*.key")]
    for secret in secrets:
        for form in (secret.hex(), base64.b64encode(secret).decode(), secret.decode("latin-1")):
            assert form not in out


@pytest.mark.django_db
def test_rotate_dek_names_an_unknown_tenant_clearly() -> None:
    with pytest.raises(CommandError, match="no tenant with slug 'nobody'"):
        call_command("vault", "rotate-dek", "--tenant", "nobody")


@pytest.mark.django_db
def test_backup_keyring_writes_a_private_copy(alice_co: Tenant) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen")

    call_command("vault", "backup-keyring")

    (backup,) = keys.keyring().backups()
    assert backup.stat().st_mode & 0o077 == 0
    assert backup.parent.stat().st_mode & 0o077 == 0
