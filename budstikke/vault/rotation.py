"""Data-key rotation without downtime.

`start(tenant)` adds a new DEK version: from then on new writes use it (other processes
notice within `keys.CURRENT_VERSION_SECONDS`), and every live version still decrypts.
`reencrypt(tenant_id)` walks every encrypted row of the tenant in primary-key batches and
re-encrypts ciphertexts (the sealed record, encrypted columns) still on an older
version, each row by compare-and-swap on its old
ciphertext so a concurrent `save()` is never overwritten. When a full pass finds no row on
an older version and the grace period has passed (no process can still be writing with the
old version), the old versions are retired: their wrapped keys are deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q

from budstikke.core import clock
from budstikke.vault import envelope, keys, registry
from budstikke.vault import keyring as keyring_module
from budstikke.vault.errors import VaultError
from budstikke.vault.fields import (
    RECORD,
    Ciphertext,
    open_record_raw,
    sealed_columns,
)

logger = logging.getLogger(__name__)

IN_FLIGHT_SECONDS = 30
"""Added to the current-version refresh interval: time for a transaction that encrypted
with the old version just before the switch to commit."""


def grace() -> timedelta:
    return timedelta(seconds=keys.CURRENT_VERSION_SECONDS + IN_FLIGHT_SECONDS)


@dataclass
class Progress:
    reencrypted: int = 0
    remaining: int = 0
    errors: int = 0
    retired: list[int] = field(default_factory=list)
    wait: timedelta | None = None  # run again after this long

    @property
    def done(self) -> bool:
        return self.remaining == 0 and self.errors == 0 and self.wait is None


def start(tenant_id: int) -> int:
    """A new current DEK version for the tenant; returns its number."""
    scope = keys.tenant_scope(tenant_id)
    keys.current(scope)  # a tenant that never wrote still gets version 1 first
    version = keys.add_version(scope)
    keys.keyring().start_rotation(scope, version)
    return version


def _rows(spec: registry.EncryptedModelSpec, tenant_id: int, batch: int) -> Any:
    """Every row of the tenant in this model, as (pk, seal_id, sealed record, *encrypted
    columns), batch by batch."""
    names = [f.attname for f in spec.columns]
    last_pk: Any = None
    while True:
        query = spec.model._base_manager.filter(tenant_id=tenant_id).order_by("pk")
        if last_pk is not None:
            query = query.filter(pk__gt=last_pk)
        rows = list(query.values_list("pk", "seal_id", RECORD, *names)[:batch])
        if not rows:
            return
        yield from rows
        last_pk = rows[-1][0]


def _versions(row: tuple[Any, ...]) -> Iterator[int]:
    """Key versions of a row's ciphertexts (record and encrypted columns)."""
    if row[2] is not None:
        yield envelope.key_version(bytes(row[2]))
    for value in row[3:]:
        if isinstance(value, Ciphertext):
            yield value.version


def _warn(spec: registry.EncryptedModelSpec, pk: Any, what: str, exc: Exception) -> None:
    logger.warning(
        "rotation cannot open %s row %s %s: %s",
        spec.model._meta.label,
        pk,
        what,
        type(exc).__name__,
    )


def _reencrypt_row(
    spec: registry.EncryptedModelSpec, tenant_id: int, row: tuple[Any, ...], key: keys.DataKey
) -> tuple[bool, int]:
    """(re-encrypted?, errors) for one row: each ciphertext on an older version is opened
    and sealed again under `key`, by compare-and-swap on the old bytes."""
    pk, seal_id, sealed, *values = row
    changes: dict[str, Any] = {}
    expected = Q(pk=pk)
    errors = 0
    if sealed is not None:
        sealed = bytes(sealed)
        if envelope.key_version(sealed) != key.version:
            try:
                plain = open_record_raw(spec.model, tenant_id, seal_id, sealed)
            except VaultError as exc:
                errors += 1
                _warn(spec, pk, "record", exc)
            else:
                changes.update(sealed_columns(spec.model, tenant_id, seal_id, plain, key))
                expected &= Q(**{RECORD: sealed})
    for fld, value in zip(spec.columns, values, strict=True):
        if not isinstance(value, Ciphertext) or value.version == key.version:
            continue
        try:
            data = fld.open_raw(tenant_id, seal_id, value)
        except VaultError as exc:
            errors += 1
            _warn(spec, pk, f"field {fld.name}", exc)
            continue
        changes[fld.attname] = fld.seal_raw(tenant_id, seal_id, data, key)
        expected &= Q(**{fld.attname: value})
    if not changes:
        return False, errors
    updated = spec.model._base_manager.filter(expected).update(**changes)
    return updated == 1, errors


def remaining(tenant_id: int, version: int) -> int:
    """Rows of the tenant with any ciphertext on a key version other than `version`."""
    count = 0
    for spec in registry.encrypted_models():
        for row in _rows(spec, tenant_id, settings.VAULT_ROTATION_BATCH):
            if any(v != version for v in _versions(row)):
                count += 1
    return count


def reencrypt(tenant_id: int, batch: int | None = None) -> Progress:
    """One pass over the tenant's rows, then retire old versions if nothing uses them."""
    batch = batch or settings.VAULT_ROTATION_BATCH
    scope = keys.tenant_scope(tenant_id)
    ring = keys.keyring()
    progress = Progress()
    key = keys.current(scope)
    for spec in registry.encrypted_models():
        for row in _rows(spec, tenant_id, batch):
            changed, errors = _reencrypt_row(spec, tenant_id, row, key)
            progress.reencrypted += changed
            progress.errors += errors
    progress.remaining = remaining(tenant_id, key.version)
    rotation = ring.rotation(scope)
    if rotation is not None:
        since = clock.now() - datetime.fromisoformat(rotation.started_at)
        if since < grace():
            progress.wait = grace() - since
    if progress.remaining == 0 and progress.errors == 0 and progress.wait is None:
        for record in ring.records(scope):
            if record.state == keyring_module.LIVE:
                keys.retire(scope, record.version)
                progress.retired.append(record.version)
    elif progress.remaining and progress.wait is None:
        progress.wait = timedelta(seconds=5)  # rows written meanwhile: another pass soon
    if rotation is not None:
        ring.note_progress(
            scope, progress.reencrypted, progress.remaining, progress.errors, progress.done
        )
    return progress
