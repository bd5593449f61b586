"""The abstract base of every model with encrypted fields, and its search queryset.

The vault itself stores nothing in the application database: wrapped keys live in the
keyring (keyring.py), so this app has no tables.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, Self

from django.db import DatabaseError, models, router, transaction

from budstikke.core.tenancy import TenantManager, TenantOwned, TenantQuerySet
from budstikke.tenants.models import Tenant
from budstikke.vault import envelope, keys
from budstikke.vault.errors import (
    EncryptedFieldMisuse,
    MissingTenantContext,
    TenantKeyDestroyed,
)
from budstikke.vault.fields import (
    OPENED,
    RECORD,
    ROW_KEYS,
    BlindIndexField,
    Ciphertext,
    EncryptedField,
    RecordField,
    SealedRecordField,
    _tenant_id,
    layout,
    open_record,
    open_record_raw,
    pack_record,
    record_values,
    sealed_columns,
)


class EncryptedQuerySet(TenantQuerySet):
    """Remembers the tenant given to `for_tenant()`, whose keys `find()` needs."""

    _vault_tenant_id: int | None = None

    def for_tenant(self, tenant: Tenant) -> Self:
        scoped = super().for_tenant(tenant)
        scoped._vault_tenant_id = tenant.pk
        return scoped

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._vault_tenant_id = self._vault_tenant_id
        return clone  # type: ignore[no-any-return]

    def update(self, **kwargs: Any) -> int:
        """Refused for plaintext before any SQL runs: the row's tenant is unknown here."""
        for name, value in kwargs.items():
            field = self.model._meta.get_field(name)
            if isinstance(field, RecordField) or (
                isinstance(field, EncryptedField)
                and not (value is None or isinstance(value, Ciphertext))
            ):
                raise EncryptedFieldMisuse(
                    f"{field.label} is encrypted: change it on the instance and save()"
                )
        return super().update(**kwargs)

    def find(self, **terms: Any) -> list[Any]:
        """Rows whose encrypted fields equal `terms` after normalisation, e.g.
        `find(email="A@b.dk")`: the blind index narrows in SQL (under every live key
        version), then decrypted values are compared so index collisions never match."""
        if self._vault_tenant_id is None:
            raise MissingTenantContext("call for_tenant(tenant) before find()")
        if not terms:
            raise EncryptedFieldMisuse("find() needs at least one field=value")
        scope = keys.tenant_scope(self._vault_tenant_id)
        versions = keys.live_versions(scope)
        if not versions and keys.keyring().is_shredded(scope):
            raise TenantKeyDestroyed(f"the keys of {scope} were destroyed")
        indexes = {
            f.source: f for f in self.model._meta.concrete_fields if isinstance(f, BlindIndexField)
        }
        query = self
        for source, value in terms.items():
            index = indexes.get(source)
            if index is None:
                raise EncryptedFieldMisuse(f"{self.model.__name__}.{source} has no blind index")
            if value is None:
                query = query.filter(**{f"{index.attname}__isnull": True})
                continue
            digests = [index.digest(keys.key(scope, v), value) for v in versions]
            query = query.filter(**{f"{index.attname}__in": digests})
        return [
            row
            for row in query
            if all(
                (getattr(row, s) is None and v is None)
                or (
                    v is not None
                    and getattr(row, s) is not None
                    and indexes[s].normalise(str(getattr(row, s))) == indexes[s].normalise(str(v))
                )
                for s, v in terms.items()
            )
        ]


class EncryptedManager(TenantManager):
    def get_queryset(self) -> EncryptedQuerySet:
        return EncryptedQuerySet(self.model, using=self._db)

    def for_tenant(self, tenant: Tenant) -> EncryptedQuerySet:
        return self.get_queryset().for_tenant(tenant)


class EncryptedModel(TenantOwned):
    """A tenant-owned row with encrypted fields. `sealed` holds the row's record fields
    as one ciphertext (see fields.py). `seal_id` is a random row identity bound into
    every ciphertext's associated data, so ciphertext copied to another row does not open
    (the primary key is unknown before the first INSERT, so it cannot serve)."""

    seal_id = models.UUIDField(default=uuid.uuid4, editable=False)
    sealed = SealedRecordField()

    objects: ClassVar[EncryptedManager] = EncryptedManager()

    class Meta:
        abstract = True

    def __getstate__(self) -> dict[str, Any]:
        """A pickled row (a cache, a task argument) never carries the keys it read with."""
        state: dict[str, Any] = super().__getstate__()
        state.pop(ROW_KEYS, None)
        state.pop(OPENED, None)
        return state

    def save(self, **kwargs: Any) -> None:
        """`update_fields` may name record fields, and then only those are written, as
        for columns: the stored record is read again under a row lock, the named values
        are put into it, and it is sealed again with every blind index. Record fields
        another process saved meanwhile are kept; record fields changed on this instance
        but not named are not written. A record field set on an instance loaded without
        its record (`.only()`) fetches the record first, so a full save seals the other
        record fields again unchanged rather than losing them."""
        record = layout(type(self))
        names: set[str] = set(kwargs.get("update_fields") or ())
        named = names & record.attnames
        if not named:
            data = self.__dict__
            if RECORD not in data and not record.attnames.isdisjoint(data):
                open_record(self)
            super().save(**kwargs)
            return
        if self.pk is None:
            raise ValueError("Cannot force an update in save() with no primary key.")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            self._save_record_fields(named, using)
            kwargs["update_fields"] = names - record.attnames
            super().save(**kwargs)  # the other named fields, if any

    def _save_record_fields(self, named: set[str], using: str) -> None:
        """Write the named record fields into the stored record (see `save`). Record
        fields the instance has not read or set take the stored values, so the instance
        is not opened: the stored record is."""
        model = type(self)
        data = self.__dict__
        rows = model._base_manager.using(using).select_for_update().filter(pk=self.pk)
        stored = list(rows.values_list(RECORD, flat=True))
        if not stored:
            raise DatabaseError("Save with update_fields did not affect any rows.")
        blob = None if stored[0] is None else bytes(stored[0])
        tenant_id = _tenant_id(self)
        plain = None if blob is None else open_record_raw(model, tenant_id, self.seal_id, blob)
        values = record_values(model, plain)
        for name in layout(model).attnames:
            if name not in data:
                data[name] = values[name]
        values.update({name: data[name] for name in named})
        merged = pack_record(model, values)
        key = keys.current(keys.tenant_scope(tenant_id))
        if blob is None or merged != plain or envelope.key_version(blob) != key.version:
            columns = sealed_columns(model, tenant_id, self.seal_id, merged, key)
            model._base_manager.using(using).filter(pk=self.pk).update(**columns)
            data.update(columns)
            blob, plain = columns[RECORD], merged
        data[RECORD] = blob
        data[OPENED] = (blob, plain)

    def refresh_from_db(
        self, using: str | None = None, fields: Any = None, from_queryset: Any = None
    ) -> None:
        """Reloading the record (all fields, or any record field) forgets the values
        opened from the old one."""
        record = layout(type(self))
        names = None if fields is None else set(fields)
        if names is None or not names.isdisjoint(record.attnames):
            if names is not None:
                names = (names - record.attnames) | {RECORD}
            for attname in record.attnames:
                self.__dict__.pop(attname, None)
            self.__dict__.pop(OPENED, None)
        super().refresh_from_db(using=using, fields=names, from_queryset=from_queryset)
