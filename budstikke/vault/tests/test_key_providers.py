from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.management import call_command
from moto import mock_aws

from budstikke.tenants.models import Tenant
from budstikke.vault import keys, platform
from budstikke.vault.errors import KeyProviderError
from budstikke.vault.providers import (
    AwsKms,
    EnvKey,
    KeyProvider,
    LocalKeyFile,
    VaultTransit,
    configured_provider,
)
from tests.specimens.models import Contact

AAD = b"budstikke/dek|tenant:1|v1"


def _kek() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _round_trip(provider: KeyProvider) -> None:
    dek = os.urandom(32)
    kek_id, wrapped = provider.wrap(dek, AAD)
    assert dek not in wrapped
    assert provider.unwrap(kek_id, wrapped, AAD) == dek
    with pytest.raises(KeyProviderError):
        provider.unwrap(kek_id, wrapped, b"budstikke/dek|tenant:2|v1")


class FakeVaultTransit:
    """Just enough of Vault's transit engine: keys/<k>, encrypt, decrypt, rotate."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.versions = [AESGCM.generate_key(bit_length=256)]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("X-Vault-Token") != self.token:
            return httpx.Response(403, json={"errors": ["permission denied"]})
        path = request.url.path.removeprefix("/v1/transit/")
        body: dict[str, Any] = json.loads(request.content) if request.content else {}
        aad = base64.b64decode(body.get("associated_data", ""))
        if path == "keys/budstikke" and request.method == "GET":
            return httpx.Response(200, json={"data": {"latest_version": len(self.versions)}})
        if path == "keys/budstikke/rotate":
            self.versions.append(AESGCM.generate_key(bit_length=256))
            return httpx.Response(204)
        if path == "encrypt/budstikke":
            nonce = os.urandom(12)
            sealed = AESGCM(self.versions[-1]).encrypt(
                nonce, base64.b64decode(body["plaintext"]), aad
            )
            token = f"vault:v{len(self.versions)}:" + base64.b64encode(nonce + sealed).decode()
            return httpx.Response(200, json={"data": {"ciphertext": token}})
        if path == "decrypt/budstikke":
            _, version, blob = body["ciphertext"].split(":")
            raw = base64.b64decode(blob)
            try:
                plain = AESGCM(self.versions[int(version[1:]) - 1]).decrypt(raw[:12], raw[12:], aad)
            except InvalidTag:
                return httpx.Response(
                    400, json={"errors": ["cipher: message authentication failed"]}
                )
            return httpx.Response(
                200, json={"data": {"plaintext": base64.b64encode(plain).decode()}}
            )
        return httpx.Response(404)


@pytest.fixture
def transit() -> VaultTransit:
    fake = FakeVaultTransit(token="s.test-token")
    return VaultTransit(
        "https://vault.test:8200", "s.test-token", transport=httpx.MockTransport(fake)
    )


@pytest.fixture
def kms() -> Iterator[AwsKms]:
    with mock_aws():
        client = boto3.client("kms", region_name="eu-north-1")
        key_id = client.create_key(Description="budstikke KEK")["KeyMetadata"]["KeyId"]
        yield AwsKms(key_id, client=client)


def test_local_key_file_wraps_and_binds_the_scope(tmp_path: Path) -> None:
    _round_trip(LocalKeyFile(tmp_path / "keys"))


def test_env_key_wraps_and_binds_the_scope() -> None:
    _round_trip(EnvKey(_kek()))


def test_aws_kms_wraps_and_binds_the_scope(kms: AwsKms) -> None:
    _round_trip(kms)


def test_vault_transit_wraps_and_binds_the_scope(transit: VaultTransit) -> None:
    _round_trip(transit)


def test_vault_transit_reports_a_refused_token_clearly() -> None:
    fake = FakeVaultTransit(token="right")
    provider = VaultTransit("https://vault.test", "wrong", transport=httpx.MockTransport(fake))

    with pytest.raises(KeyProviderError, match="403"):
        provider.wrap(os.urandom(32), AAD)


@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"short").decode()])
def test_env_key_refuses_a_malformed_kek(value: str) -> None:
    with pytest.raises(KeyProviderError):
        EnvKey(value)


def test_env_key_is_read_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "kek"
    secret.write_text(_kek() + "\n")
    monkeypatch.setenv("BUDSTIKKE_KEK_FILE", str(secret))

    _round_trip(EnvKey.from_environment())


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"BUDSTIKKE_KEY_PROVIDER": "env"}, "needs BUDSTIKKE_KEK"),
        ({"BUDSTIKKE_KEY_PROVIDER": "aws-kms"}, "needs BUDSTIKKE_KMS_KEY_ID"),
        ({"BUDSTIKKE_KEY_PROVIDER": "vault-transit"}, "needs BUDSTIKKE_VAULT_ADDR"),
        ({"BUDSTIKKE_KEY_PROVIDER": "rot13"}, "must be one of"),
    ],
)
def test_settings_refuse_a_provider_without_its_variables(
    extra: dict[str, str], message: str, tmp_path: Path
) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BUDSTIKKE_")}
    environ |= {"BUDSTIKKE_DATA_DIR": str(tmp_path), **extra}
    result = subprocess.run(
        [sys.executable, "-c", "import budstikke.settings"],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["kms", "transit", "env"])
def test_encrypted_fields_work_under_every_provider(
    name: str, request: pytest.FixtureRequest, alice_co: Tenant
) -> None:
    provider = EnvKey(_kek()) if name == "env" else request.getfixturevalue(name)
    keys.set_provider(provider)
    token = platform.seal_text("totp-secret", purpose="mfa.totp")
    contact = Contact.objects.create(tenant=alice_co, name="Karen")

    keys.reset()
    keys.set_provider(provider)

    assert Contact.objects.for_tenant(alice_co).get(pk=contact.pk).name == "Karen"
    assert platform.unseal_text(token, purpose="mfa.totp") == "totp-secret"


@pytest.mark.django_db
def test_rotate_kek_rewraps_every_key_and_forgets_the_old_local_kek(alice_co: Tenant) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen")
    token = platform.seal_text("totp", purpose="mfa.totp")
    before = {(r.scope, r.version): r.wrapped for r in keys.keyring().records()}

    call_command("vault", "rotate-kek")
    keys.reset()

    after = keys.keyring().records()
    assert {r.kek_id for r in after} == {"kek-0002"}
    assert all(before[(r.scope, r.version)] != r.wrapped for r in after)
    assert sorted(p.name for p in Path(settings.KEYS_DIR).glob("kek-*")) == ["kek-0002.key"]
    assert Contact.objects.for_tenant(alice_co).get().name == "Karen"
    assert platform.unseal_text(token, purpose="mfa.totp") == "totp"


@pytest.mark.django_db
def test_rotate_kek_moves_from_the_previous_env_key_to_the_new(alice_co: Tenant) -> None:
    old, new = _kek(), _kek()
    keys.set_provider(EnvKey(old))
    Contact.objects.create(tenant=alice_co, name="Karen")

    keys.reset()
    keys.set_provider(EnvKey(new, previous=old))
    kek_id, count = keys.rotate_kek()
    keys.reset()
    keys.set_provider(EnvKey(new))

    assert count == 1
    assert kek_id.startswith("env-")
    assert Contact.objects.for_tenant(alice_co).get().name == "Karen"


@pytest.mark.django_db
def test_rotate_kek_asks_vault_for_a_new_key_version(
    transit: VaultTransit, alice_co: Tenant
) -> None:
    keys.set_provider(transit)
    Contact.objects.create(tenant=alice_co, name="Karen")

    kek_id, count = keys.rotate_kek()
    keys.reset()
    keys.set_provider(transit)

    assert (kek_id, count) == ("budstikke:v2", 1)
    assert Contact.objects.for_tenant(alice_co).get().name == "Karen"


def test_the_configured_provider_follows_the_settings(settings: Any) -> None:
    assert isinstance(configured_provider(), LocalKeyFile)
    settings.VAULT_KEY_PROVIDER = "aws-kms"
    settings.VAULT_AWS_KMS_KEY_ID = None
    with pytest.raises(KeyProviderError):
        configured_provider()
