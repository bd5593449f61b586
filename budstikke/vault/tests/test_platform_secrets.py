from __future__ import annotations

import base64
import stat
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from budstikke.vault import keys, platform
from budstikke.vault.errors import DecryptionFailed, MalformedCiphertext, VaultError


def test_it_round_trips_a_secret_as_an_ascii_token() -> None:
    token = platform.seal_text("JBSWY3DPEHPK3PXP", purpose="mfa.totp")

    assert token.isascii()
    assert "JBSWY3DPEHPK3PXP" not in token
    assert platform.unseal_text(token, purpose="mfa.totp") == "JBSWY3DPEHPK3PXP"


def test_it_uses_a_fresh_nonce_for_every_seal() -> None:
    first = platform.seal_text("same", purpose="mfa.totp")
    second = platform.seal_text("same", purpose="mfa.totp")

    assert first != second


def test_it_refuses_a_token_sealed_for_another_purpose() -> None:
    token = platform.seal_text("app-secret", purpose="economic.app_secret")

    with pytest.raises(DecryptionFailed):
        platform.unseal_text(token, purpose="mfa.totp")


@pytest.mark.parametrize("position", [0, 1, 5, 10, 20, -1])
def test_it_refuses_a_tampered_token(position: int) -> None:
    raw = bytearray(platform.seal(b"secret", purpose="mfa.totp"))
    raw[position] ^= 0x01

    with pytest.raises(VaultError):
        platform.unseal(bytes(raw), purpose="mfa.totp")


@pytest.mark.parametrize("token", ["", "JBSWY3DPEHPK3PXP", "vault1.", "vault1.!!!", "vault1.AAAA"])
def test_it_calls_garbage_malformed(token: str) -> None:
    with pytest.raises(MalformedCiphertext):
        platform.unseal_text(token, purpose="mfa.totp")


def test_it_keeps_the_kek_and_keyring_private_in_the_keys_directory() -> None:
    platform.seal_text("x", purpose="mfa.totp")
    keys_dir = Path(django_settings.KEYS_DIR)

    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700
    files = sorted(p.name for p in keys_dir.iterdir())
    assert files == ["kek-0001.key", "keyring.sqlite3"]
    for name in files:
        assert stat.S_IMODE((keys_dir / name).stat().st_mode) == 0o600


def test_it_stores_the_platform_dek_only_wrapped() -> None:
    platform.seal_text("x", purpose="mfa.totp")
    dek = keys.current(keys.PLATFORM)._raw
    keyring_bytes = (Path(django_settings.KEYS_DIR) / "keyring.sqlite3").read_bytes()

    assert dek not in keyring_bytes
    assert base64.b64encode(dek) not in keyring_bytes
    assert dek.hex().encode() not in keyring_bytes


def test_it_still_opens_old_tokens_after_a_new_platform_key_version() -> None:
    old = platform.seal_text("secret", purpose="mfa.totp")
    keys.add_version(keys.PLATFORM)
    keys.reset()

    new = platform.reseal_text(old, purpose="mfa.totp")

    assert platform.unseal_text(old, purpose="mfa.totp") == "secret"
    assert platform.unseal_text(new, purpose="mfa.totp") == "secret"
    assert old != new


def test_it_does_not_open_with_another_installations_keys(tmp_path: Path, settings: Any) -> None:
    token = platform.seal_text("secret", purpose="mfa.totp")
    settings.KEYS_DIR = tmp_path / "other-installation"
    keys.reset()

    with pytest.raises(VaultError):
        platform.unseal_text(token, purpose="mfa.totp")
