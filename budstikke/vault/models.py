"""The abstract base of every model with encrypted fields, and its search queryset.

The vault itself stores nothing in the application database: wrapped keys live in the
keyring (keyring.py), so this app has no tables.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, Self

from django.db import models

from budstikke.core.tenancy import TenantManager, TenantOwned, TenantQuerySet
from budstikke.tenants.models import Tenant
from budstikke.vault import keys
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
    layout,
    open_record,
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
        """`update_fields` may name record fields: they are saved as the `sealed` column
        and the blind indexes. A record field set on an instance loaded
        without its record (`.only()`) fetches the record first, so the other record
        fields are sealed again unchanged rather than lost."""
        record = layout(type(self))
        data = self.__dict__
        if RECORD not in data and not record.attnames.isdisjoint(data):
            open_record(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            names = set(update_fields)
            if not record.attnames.isdisjoint(names):
                names -= record.attnames
                names.add(RECORD)
                # every blind index: a record sealed again under a newer key version
                # needs all of its indexes under that version too
                names.update(
                    f.attname for f in self._meta.concrete_fields if isinstance(f, BlindIndexField)
                )
                kwargs["update_fields"] = names
        super().save(**kwargs)

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
