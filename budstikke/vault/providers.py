"""Key providers: where the key-encryption key (KEK) lives and how it wraps data keys.

The KEK never encrypts data. It only wraps each tenant's data key (DEK) and the platform
DEK, with associated data naming the scope and key version, so a wrapped key copied to
another tenant's slot does not unwrap. Four providers:

- `LocalKeyFile` (default): random 256-bit keys in `KEYS_DIR/kek-NNNN.key` (dir 0700,
  files 0600), created on first use; wraps with AES-256-GCM.
- `EnvKey`: the KEK as base64 in `BUDSTIKKE_KEK` (or `BUDSTIKKE_KEK_FILE`); the previous
  one in `BUDSTIKKE_KEK_PREVIOUS` during a rotation.
- `AwsKms`: a KMS key wraps and unwraps (the KEK never leaves KMS).
- `VaultTransit`: HashiCorp Vault's transit engine wraps and unwraps over HTTPS.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from abc import ABC, abstractmethod
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from budstikke.core import env
from budstikke.vault.errors import KeyProviderError

if TYPE_CHECKING:
    from types_boto3_kms import KMSClient

KEY_BYTES = 32
_NONCE_BYTES = 12


def ensure_private_dir(path: Path) -> Path:
    """The keys directory: created 0700 and kept 0700, whatever the umask says."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def write_private_file(path: Path, data: bytes) -> None:
    """Create `path` with mode 0600, refusing to overwrite an existing key."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _aes_wrap(kek: bytes, dek: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, dek, aad)


def _aes_unwrap(kek: bytes, blob: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(kek).decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], aad)
    except InvalidTag:
        raise KeyProviderError("wrapped key does not open under this KEK and scope") from None


def _fingerprint(kek: bytes) -> str:
    """A public name for a key: a one-way hash prefix, useless to an attacker."""
    return hashlib.sha256(b"budstikke-kek-id\x00" + kek).hexdigest()[:12]


class KeyProvider(ABC):
    """Holds the KEK. `kek_id` names the KEK (version) that wrapped a DEK."""

    name: str

    @abstractmethod
    def current_kek_id(self) -> str: ...

    @abstractmethod
    def wrap(self, dek: bytes, aad: bytes) -> tuple[str, bytes]:
        """Wrap under the current KEK; returns (kek_id, wrapped)."""

    @abstractmethod
    def unwrap(self, kek_id: str, wrapped: bytes, aad: bytes) -> bytes: ...

    def rotate(self) -> str:
        """Make a new KEK current where the provider can; returns its id."""
        return self.current_kek_id()

    def forget(self, kek_ids_in_use: set[str]) -> list[str]:
        """Delete old KEKs no wrapped key uses any more (only where we own them)."""
        return []

    def describe(self) -> str:
        return f"{self.name} (current KEK {self.current_kek_id()})"


class LocalKeyFile(KeyProvider):
    name = "local"
    _pattern = re.compile(r"^kek-(\d{4,})\.key$")

    def __init__(self, keys_dir: Path) -> None:
        self.keys_dir = keys_dir
        self._keys: dict[str, bytes] = {}

    def _files(self) -> dict[int, Path]:
        if not self.keys_dir.exists():
            return {}
        found: dict[int, Path] = {}
        for path in self.keys_dir.iterdir():
            match = self._pattern.match(path.name)
            if match:
                found[int(match.group(1))] = path
        return found

    def _create(self, number: int) -> str:
        ensure_private_dir(self.keys_dir)
        path = self.keys_dir / f"kek-{number:04d}.key"
        with suppress(FileExistsError):  # another process created it first; use theirs
            write_private_file(path, base64.b64encode(os.urandom(KEY_BYTES)) + b"\n")
        return path.stem

    def current_kek_id(self) -> str:
        files = self._files()
        if not files:
            return self._create(1)
        return files[max(files)].stem

    def _key(self, kek_id: str) -> bytes:
        if kek_id not in self._keys:
            path = self.keys_dir / f"{kek_id}.key"
            if not self._pattern.match(path.name):
                raise KeyProviderError(f"unknown local KEK {kek_id!r}")
            try:
                raw = base64.b64decode(path.read_bytes().strip(), validate=True)
            except FileNotFoundError:
                raise KeyProviderError(
                    f"local KEK {kek_id} is missing from the keys directory"
                ) from None
            except binascii.Error:
                raise KeyProviderError(f"local KEK {kek_id} is not valid base64") from None
            if len(raw) != KEY_BYTES:
                raise KeyProviderError(f"local KEK {kek_id} is not 256 bits")
            self._keys[kek_id] = raw
        return self._keys[kek_id]

    def wrap(self, dek: bytes, aad: bytes) -> tuple[str, bytes]:
        kek_id = self.current_kek_id()
        return kek_id, _aes_wrap(self._key(kek_id), dek, aad)

    def unwrap(self, kek_id: str, wrapped: bytes, aad: bytes) -> bytes:
        return _aes_unwrap(self._key(kek_id), wrapped, aad)

    def rotate(self) -> str:
        files = self._files()
        return self._create(max(files, default=0) + 1)

    def forget(self, kek_ids_in_use: set[str]) -> list[str]:
        current = self.current_kek_id()
        removed = []
        for path in self._files().values():
            if path.stem != current and path.stem not in kek_ids_in_use:
                path.unlink()
                self._keys.pop(path.stem, None)
                removed.append(path.stem)
        return removed


def _decode_kek(variable: str, value: str) -> bytes:
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except binascii.Error:
        raise KeyProviderError(f"{variable} is not valid base64") from None
    if len(raw) != KEY_BYTES:
        raise KeyProviderError(f"{variable} must decode to 32 bytes (256 bits)")
    return raw


class EnvKey(KeyProvider):
    """The KEK from the environment; rotation = set the new key, move the old one to
    `BUDSTIKKE_KEK_PREVIOUS`, run `manage.py vault rotate-kek`, then drop the previous."""

    name = "env"

    def __init__(self, current: str, previous: str | None = None) -> None:
        self._current = _decode_kek("BUDSTIKKE_KEK", current)
        self._keys = {_fingerprint(self._current): self._current}
        if previous:
            old = _decode_kek("BUDSTIKKE_KEK_PREVIOUS", previous)
            self._keys[_fingerprint(old)] = old

    @classmethod
    def from_environment(cls) -> EnvKey:
        try:
            current = env.string("BUDSTIKKE_KEK")
            previous = env.optional("BUDSTIKKE_KEK_PREVIOUS")
        except env.EnvError as exc:
            raise KeyProviderError(str(exc)) from None
        return cls(current, previous)

    def current_kek_id(self) -> str:
        return "env-" + _fingerprint(self._current)

    def wrap(self, dek: bytes, aad: bytes) -> tuple[str, bytes]:
        return self.current_kek_id(), _aes_wrap(self._current, dek, aad)

    def unwrap(self, kek_id: str, wrapped: bytes, aad: bytes) -> bytes:
        key = self._keys.get(kek_id.removeprefix("env-"))
        if key is None:
            raise KeyProviderError(
                f"KEK {kek_id} is neither BUDSTIKKE_KEK nor BUDSTIKKE_KEK_PREVIOUS"
            )
        return _aes_unwrap(key, wrapped, aad)


class AwsKms(KeyProvider):
    """AWS KMS wraps with the configured key; the associated data travels as the KMS
    encryption context, so KMS refuses to unwrap a key presented for another scope."""

    name = "aws-kms"

    def __init__(self, key_id: str, client: KMSClient | None = None, region: str | None = None):
        import boto3

        self.key_id = key_id
        self.client: KMSClient = client or boto3.client("kms", region_name=region)

    @staticmethod
    def _context(aad: bytes) -> dict[str, str]:
        return {"budstikke": base64.b64encode(aad).decode("ascii")}

    def current_kek_id(self) -> str:
        return self.key_id

    def wrap(self, dek: bytes, aad: bytes) -> tuple[str, bytes]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self.client.encrypt(
                KeyId=self.key_id, Plaintext=dek, EncryptionContext=self._context(aad)
            )
        except (BotoCoreError, ClientError) as exc:
            raise KeyProviderError(f"KMS refused to wrap: {type(exc).__name__}") from None
        return answer["KeyId"], answer["CiphertextBlob"]

    def unwrap(self, kek_id: str, wrapped: bytes, aad: bytes) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self.client.decrypt(
                KeyId=kek_id, CiphertextBlob=wrapped, EncryptionContext=self._context(aad)
            )
        except (BotoCoreError, ClientError) as exc:
            raise KeyProviderError(f"KMS refused to unwrap: {type(exc).__name__}") from None
        plaintext: bytes = answer["Plaintext"]
        return plaintext


class VaultTransit(KeyProvider):
    """HashiCorp Vault's transit engine (an `aes256-gcm96` key). The wrapped DEK is Vault's
    own `vault:vN:…` token; `rotate()` asks Vault for a new key version."""

    name = "vault-transit"

    def __init__(
        self,
        url: str,
        token: str,
        key: str = "budstikke",
        mount: str = "transit",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.key = key
        self._client = httpx.Client(
            base_url=f"{url.rstrip('/')}/v1/{mount.strip('/')}/",
            headers={"X-Vault-Token": token},
            timeout=10.0,
            transport=transport,
        )

    def _post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            response = self._client.post(path, json=body or {})
        except httpx.HTTPError as exc:
            raise KeyProviderError(f"Vault transit unreachable: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise KeyProviderError(f"Vault transit answered {response.status_code} to {path}")
        if response.status_code == 204 or not response.content:
            return {}
        data: dict[str, Any] = response.json().get("data") or {}
        return data

    def current_kek_id(self) -> str:
        try:
            response = self._client.get(f"keys/{self.key}")
        except httpx.HTTPError as exc:
            raise KeyProviderError(f"Vault transit unreachable: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise KeyProviderError(f"Vault transit answered {response.status_code} for the key")
        return f"{self.key}:v{response.json()['data']['latest_version']}"

    def wrap(self, dek: bytes, aad: bytes) -> tuple[str, bytes]:
        data = self._post(
            f"encrypt/{self.key}",
            {
                "plaintext": base64.b64encode(dek).decode("ascii"),
                "associated_data": base64.b64encode(aad).decode("ascii"),
            },
        )
        token = str(data["ciphertext"])
        return f"{self.key}:{token.split(':')[1]}", token.encode("ascii")

    def unwrap(self, kek_id: str, wrapped: bytes, aad: bytes) -> bytes:
        data = self._post(
            f"decrypt/{self.key}",
            {
                "ciphertext": wrapped.decode("ascii"),
                "associated_data": base64.b64encode(aad).decode("ascii"),
            },
        )
        return base64.b64decode(data["plaintext"])

    def rotate(self) -> str:
        self._post(f"keys/{self.key}/rotate")
        return self.current_kek_id()


def configured_provider() -> KeyProvider:
    """The provider the settings name, built fresh (callers cache it)."""
    kind = settings.VAULT_KEY_PROVIDER
    if kind == "local":
        return LocalKeyFile(Path(settings.KEYS_DIR))
    if kind == "env":
        return EnvKey.from_environment()
    if kind == "aws-kms":
        if not settings.VAULT_AWS_KMS_KEY_ID:
            raise KeyProviderError("BUDSTIKKE_KMS_KEY_ID is required with the aws-kms provider")
        return AwsKms(settings.VAULT_AWS_KMS_KEY_ID, region=settings.VAULT_AWS_REGION)
    if kind == "vault-transit":
        token = env.optional("BUDSTIKKE_VAULT_TOKEN")
        if not settings.VAULT_TRANSIT_URL or not token:
            raise KeyProviderError(
                "BUDSTIKKE_VAULT_ADDR and BUDSTIKKE_VAULT_TOKEN are required with vault-transit"
            )
        return VaultTransit(
            settings.VAULT_TRANSIT_URL,
            token,
            key=settings.VAULT_TRANSIT_KEY,
            mount=settings.VAULT_TRANSIT_MOUNT,
        )
    raise KeyProviderError(f"unknown key provider {kind!r}")
