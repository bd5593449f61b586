"""Data keys (DEKs): one scope per tenant plus the platform scope, unwrapped on demand and
kept only in this process's memory, in a bounded cache whose entries expire.

A scope's current version encrypts new writes; every live version decrypts. The current
version is re-read from the keyring at least every `CURRENT_VERSION_SECONDS`, which is
the grace a rotation waits before retiring an old version (see rotation.py).
"""

from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from budstikke.vault import envelope
from budstikke.vault import keyring as keyring_module
from budstikke.vault.errors import KeyVersionUnavailable, MalformedCiphertext, TenantKeyDestroyed
from budstikke.vault.providers import KEY_BYTES, KeyProvider, configured_provider

PLATFORM = "platform"
CURRENT_VERSION_SECONDS = 30


def tenant_scope(tenant_id: int) -> str:
    return f"tenant:{tenant_id}"


def wrap_aad(scope: str, version: int) -> bytes:
    """Associated data of a wrapped DEK: it unwraps only as this scope's this version."""
    return f"budstikke/dek|{scope}|v{version}".encode()


@dataclass(slots=True, eq=False)
class DataKey:
    scope: str
    version: int
    aead: AESGCM
    _raw: bytes = field(repr=False)
    _derived: dict[str, bytes] = field(default_factory=dict, repr=False)

    def derive(self, purpose: str) -> bytes:
        """A sub-key for one purpose (a blind index of one field), by HKDF-SHA256."""
        found = self._derived.get(purpose)
        if found is None:
            found = HKDF(
                algorithm=hashes.SHA256(),
                length=32,
                salt=None,
                info=f"budstikke/{self.scope}/v{self.version}/{purpose}".encode(),
            ).derive(self._raw)
            self._derived[purpose] = found
        return found


class _Store:
    """The process's view of the key hierarchy; rebuilt when the settings change."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        for opener in getattr(self, "openers", {}).values():
            opener.by_head.clear()
        self.openers: dict[int, Opener] = {}
        self.keys: dict[tuple[str, int], tuple[float, DataKey]] = {}
        self.current: dict[str, tuple[float, int]] = {}
        self._provider: KeyProvider | None = None
        self._keyring: keyring_module.Keyring | None = None

    @property
    def provider(self) -> KeyProvider:
        if self._provider is None:
            self._provider = configured_provider()
        return self._provider

    @property
    def keyring(self) -> keyring_module.Keyring:
        if self._keyring is None:
            self._keyring = keyring_module.Keyring(Path(settings.KEYS_DIR))
        return self._keyring

    def remember(self, key: DataKey) -> tuple[float, DataKey]:
        ttl = float(settings.VAULT_DEK_CACHE_SECONDS)
        entry = (time.monotonic() + ttl, key)
        with self.lock:
            while len(self.keys) >= settings.VAULT_DEK_CACHE_SIZE:
                del self.keys[next(iter(self.keys))]
            self.keys[(key.scope, key.version)] = entry
        return entry

    def close_openers(self, scope: str) -> None:
        """Empty the scope's openers, also for rows still holding one: their next field
        asks the keyring again (and meets a retired or destroyed key)."""
        for tenant_id, opener in list(self.openers.items()):
            if opener.scope == scope:
                opener.by_head.clear()
                self.openers.pop(tenant_id, None)

    def evict(self, scope: str) -> None:
        with self.lock:
            for cached in [k for k in self.keys if k[0] == scope]:
                del self.keys[cached]
            self.current.pop(scope, None)
            self.close_openers(scope)


_store = _Store()


def reset() -> None:
    """Forget every unwrapped key and the provider (tests; settings changes)."""
    with _store.lock:
        _store.clear()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "KEYS_DIR" or setting.startswith("VAULT_"):
        reset()


def set_provider(provider: KeyProvider) -> None:
    """Use this provider instance in this process (tests with moto or a fake Vault)."""
    _store._provider = provider


def provider() -> KeyProvider:
    return _store.provider


def keyring() -> keyring_module.Keyring:
    return _store.keyring


def _make(scope: str, version: int) -> tuple[str, bytes]:
    return _store.provider.wrap(os.urandom(KEY_BYTES), wrap_aad(scope, version))


def _unwrap(record: keyring_module.KeyRecord) -> DataKey:
    if record.wrapped is None or record.kek_id is None:
        if record.state == keyring_module.DESTROYED:
            raise TenantKeyDestroyed(f"the keys of {record.scope} were destroyed")
        raise KeyVersionUnavailable(f"{record.scope} key version {record.version} is retired")
    raw = _store.provider.unwrap(
        record.kek_id, record.wrapped, wrap_aad(record.scope, record.version)
    )
    return DataKey(record.scope, record.version, AESGCM(raw), raw)


def _entry(scope: str, version: int) -> tuple[float, DataKey]:
    """(expiry, key) of the scope's key of this version, unwrapped if not cached."""
    store = _store
    entry = store.keys.get((scope, version))
    if entry is not None and entry[0] > time.monotonic():
        return entry
    record = store.keyring.record(scope, version)
    if record is None:
        if store.keyring.is_shredded(scope):
            raise TenantKeyDestroyed(f"the keys of {scope} were destroyed")
        raise KeyVersionUnavailable(f"{scope} has no key version {version}")
    return store.remember(_unwrap(record))


def key(scope: str, version: int) -> DataKey:
    """The scope's key of this version (for reading)."""
    return _entry(scope, version)[1]


class Opener:
    """The read side of one tenant's keys for encrypted fields: AES-GCM keys by ciphertext
    header (format byte + key version), so a list page looks a key up once per page and
    rows share it. Replaced once a key it holds passes its cache expiry; shredding,
    retiring and `reset()` empty it, also for rows still holding it."""

    __slots__ = ("by_head", "expires", "scope")

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self.expires = math.inf
        self.by_head: dict[bytes, AESGCM] = {}

    def aead(self, head: bytes) -> AESGCM:
        """The key named by a ciphertext header (its first 5 bytes)."""
        if len(head) != envelope.HEADER.size or head[0] != envelope.FORMAT_V1:
            raise MalformedCiphertext("not a vault ciphertext")
        expires, data_key = _entry(self.scope, int.from_bytes(head[1:]))
        self.expires = min(self.expires, expires)
        self.by_head[head] = data_key.aead
        return data_key.aead


def opener(tenant_id: int) -> Opener:
    """The tenant's opener (see `Opener`); one dict lookup while it is fresh."""
    openers = _store.openers
    found = openers.get(tenant_id)
    if found is None or found.expires <= time.monotonic():
        if found is not None:
            found.by_head.clear()
        with _store.lock:
            while len(openers) >= settings.VAULT_DEK_CACHE_SIZE:
                del openers[next(iter(openers))]
            found = openers[tenant_id] = Opener(tenant_scope(tenant_id))
    return found


def current(scope: str) -> DataKey:
    """The scope's key for new writes, created on first use."""
    store = _store
    pointer = store.current.get(scope)
    if pointer is not None and pointer[0] > time.monotonic():
        return key(scope, pointer[1])
    record = store.keyring.current_or_create(scope, _make)
    store.current[scope] = (time.monotonic() + CURRENT_VERSION_SECONDS, record.version)
    cached = store.keys.get((scope, record.version))
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    return store.remember(_unwrap(record))[1]


def live_versions(scope: str) -> list[int]:
    """Versions that still decrypt, newest first (blind-index search looks under each)."""
    return sorted(
        (
            r.version
            for r in _store.keyring.records(scope)
            if r.state in (keyring_module.CURRENT, keyring_module.LIVE)
        ),
        reverse=True,
    )


def add_version(scope: str) -> int:
    """A new current DEK for the scope; older versions stay readable."""
    record = _store.keyring.add_version(scope, _make)
    _store.current[scope] = (time.monotonic() + CURRENT_VERSION_SECONDS, record.version)
    return record.version


def retire(scope: str, version: int) -> None:
    _store.keyring.retire(scope, version)
    with _store.lock:
        _store.keys.pop((scope, version), None)
        _store.close_openers(scope)


def shred(scope: str) -> int:
    """Destroy every version of the scope's key in the keyring and in this process."""
    destroyed = _store.keyring.shred(scope)
    _store.evict(scope)
    return destroyed


def rotate_kek() -> tuple[str, int]:
    """Re-wrap every stored DEK under a new (or the newly configured) KEK. No data is
    re-encrypted. Returns (new KEK id, number of keys re-wrapped)."""
    provider_ = _store.provider
    new_id = provider_.rotate()
    count = 0
    for record in _store.keyring.records():
        if record.wrapped is None or record.kek_id is None or record.kek_id == new_id:
            continue
        aad = wrap_aad(record.scope, record.version)
        raw = provider_.unwrap(record.kek_id, record.wrapped, aad)
        kek_id, wrapped = provider_.wrap(raw, aad)
        if _store.keyring.rewrap(record.scope, record.version, record.wrapped, kek_id, wrapped):
            count += 1
    in_use = {r.kek_id for r in _store.keyring.records() if r.kek_id}
    provider_.forget(in_use)
    return new_id, count
