"""Encrypted model fields and blind indexes (ARCHITECTURE invariant 2).

Two ways a model keeps personal data encrypted (AES-256-GCM, see envelope.py):

- **The row's sealed record.** `EncryptedCharField`, `EncryptedTextField` and
  `EncryptedJSONField` have no column of their own: their values travel together in one
  ciphertext, the `sealed` column every `EncryptedModel` has. Its associated data binds
  tenant, model and the row's `seal_id`; field names are inside the authenticated
  plaintext. Loading a row keeps the sealed bytes as they came; the first read of any of
  these fields opens the record once and puts every value on the instance, so a list page
  pays one AES-GCM open per row however many fields it shows. `save()` seals the record
  again, with the tenant's current key version and a fresh nonce, when a value changed or
  the key version is old.
- **A column of its own.** `EncryptedBinaryField` (signatures, photos: large, rarely
  shown) keeps one ciphertext per field and row, opened only when that field is read.
  Its associated data binds tenant, model, field and `seal_id`.

Either way bytes copied to another row, field, model or tenant do not open. The database
is never asked to compare plaintext: exact-match search goes through a `BlindIndexField`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgpack
import phonenumbers
from cryptography.exceptions import InvalidTag
from django import forms
from django.core import validators
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import cached_property

from budstikke.vault import envelope, keys
from budstikke.vault.errors import (
    DecryptionFailed,
    EncryptedFieldMisuse,
    MalformedCiphertext,
    MissingTenantContext,
)

if TYPE_CHECKING:
    from uuid import UUID


class Ciphertext:
    """Raw stored bytes of an encrypted column, not yet opened. Never plaintext."""

    __slots__ = ("blob",)

    def __init__(self, blob: bytes) -> None:
        self.blob = blob

    @property
    def version(self) -> int:
        return envelope.key_version(self.blob)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ciphertext) and hmac.compare_digest(self.blob, other.blob)

    def __hash__(self) -> int:
        return hash(self.blob)

    def __repr__(self) -> str:
        return f"<Ciphertext {len(self.blob)} bytes>"


def _tenant_id(instance: models.Model) -> int:
    tenant_id: int | None = getattr(instance, "tenant_id", None)
    if tenant_id is None:
        raise MissingTenantContext(
            f"{type(instance).__name__} has no tenant; encrypted fields need one to read or write"
        )
    return tenant_id


ROW_KEYS = "_vault_row"
"""Where a loaded instance keeps its `_RowKeys` (never pickled, see models.py)."""

RECORD = "sealed"
"""The column of an `EncryptedModel` holding its sealed record."""

OPENED = "_vault_opened"
"""Where an instance keeps (sealed bytes, their plaintext) of the record it opened, so
`save()` can tell an unchanged record from a changed one (never pickled)."""


def row_aad(tenant_id: int, seal_id: UUID) -> bytes:
    return b"|t%d|r%s" % (tenant_id, seal_id.bytes)


def record_aad_prefix(model: type[models.Model]) -> bytes:
    """The model part of a sealed record's associated data."""
    return b"budstikke/record|" + model._meta.label_lower.encode()


class _RowKeys:
    """What opening anything of one loaded row needs: its tenant's `keys.Opener` and the
    row part of the associated data. Kept on the instance while its tenant and seal_id
    stay the same."""

    __slots__ = ("aad", "opener", "seal_id", "tenant_id")

    def __init__(self, instance: models.Model) -> None:
        self.tenant_id = tenant_id = _tenant_id(instance)
        self.seal_id = seal_id = instance.seal_id  # type: ignore[attr-defined]
        self.opener = keys.opener(tenant_id)
        self.aad = row_aad(tenant_id, seal_id)


def _row_keys(instance: models.Model) -> _RowKeys:
    data = instance.__dict__
    row: _RowKeys | None = data.get(ROW_KEYS)
    if (
        row is None
        or row.tenant_id is not data.get("tenant_id")
        or row.seal_id is not data.get("seal_id")
    ):
        row = data[ROW_KEYS] = _RowKeys(instance)
    return row


def _open(row: _RowKeys, blob: bytes, context: bytes) -> bytes:
    head = blob[:5]
    opener = row.opener
    aead = opener.by_head.get(head) or opener.aead(head)
    if len(blob) < envelope.MIN_LENGTH:
        raise MalformedCiphertext("not a vault ciphertext")
    try:
        return aead.decrypt(blob[5:17], blob[17:], head + context + row.aad)
    except InvalidTag:
        raise DecryptionFailed("ciphertext does not open in this context") from None


# The sealed record ---------------------------------------------------------------------


class RecordLayout:
    """One model's record fields, worked out once: what `open_record` and `pack_record`
    walk for every row."""

    __slots__ = ("aad_prefix", "attnames", "fields", "steps")

    def __init__(self, model: type[models.Model]) -> None:
        self.fields: tuple[RecordField, ...] = tuple(
            f for f in model._meta.private_fields if isinstance(f, RecordField)
        )
        self.attnames = frozenset(f.attname for f in self.fields)  # = their names
        self.aad_prefix = record_aad_prefix(model)
        self.steps = tuple(
            (f.name, f.attname, f, isinstance(f, EncryptedJSONField)) for f in self.fields
        )


def layout(model: type[models.Model]) -> RecordLayout:
    found: RecordLayout | None = model.__dict__.get("_vault_layout")
    if found is None:
        found = RecordLayout(model)
        model._vault_layout = found  # type: ignore[attr-defined]
    return found


def unpack_record(plain: bytes) -> dict[str, Any]:
    values: dict[str, Any] = msgpack.unpackb(plain)
    if type(values) is not dict:
        raise MalformedCiphertext("a sealed record holds a map")
    return values


def record_values(model: type[models.Model], plain: bytes | None) -> dict[str, Any]:
    """Field values (as Python values) of a record's plaintext; defaults for the rest."""
    values = {} if plain is None else unpack_record(plain)
    out = {}
    for name, _, field, is_json in layout(model).steps:
        if name in values:
            value = values[name]
            out[name] = json.loads(value) if is_json and value is not None else value
        else:
            out[name] = field.get_default()
    return out


def pack_record(model: type[models.Model], values: dict[str, Any]) -> bytes:
    """Plaintext of a record: field name -> value (JSON fields as their JSON text)."""
    return msgpack.packb(  # type: ignore[no-any-return]
        {
            name: field.to_record(values[name]) if is_json else values[name]
            for name, _, field, is_json in layout(model).steps
            if name in values
        }
    )


def seal_record(
    model: type[models.Model],
    tenant_id: int,
    seal_id: UUID,
    plain: bytes,
    key: keys.DataKey | None = None,
) -> bytes:
    key = key or keys.current(keys.tenant_scope(tenant_id))
    context = record_aad_prefix(model) + row_aad(tenant_id, seal_id)
    return envelope.seal(key.aead, key.version, plain, context)


def sealed_columns(
    model: type[models.Model],
    tenant_id: int,
    seal_id: UUID,
    plain: bytes,
    key: keys.DataKey,
) -> dict[str, Any]:
    """The `sealed` column and every blind index for a record's plaintext, all under `key`:
    what an UPDATE writes when it seals a record outside `save()` (rotation, a save of
    some record fields)."""
    values = record_values(model, plain)
    columns: dict[str, Any] = {RECORD: seal_record(model, tenant_id, seal_id, plain, key)}
    for index in blind_indexes(model):
        value = values[index.source]
        columns[index.attname] = None if value is None else index.digest(key, value)
    return columns


def open_record_raw(model: type[models.Model], tenant_id: int, seal_id: UUID, blob: bytes) -> bytes:
    """Plaintext of a sealed record read outside an instance (rotation, tools)."""
    key = keys.key(keys.tenant_scope(tenant_id), envelope.key_version(blob))
    context = record_aad_prefix(model) + row_aad(tenant_id, seal_id)
    return envelope.open_sealed(key.aead, blob, context)


def open_record(instance: models.Model) -> None:
    """Open the instance's sealed record once and put every record field's value on it
    (values the code already set are kept). The hot path of every list page."""
    data = instance.__dict__
    record = layout(type(instance))
    steps = record.steps
    # deferred (.only()): the descriptor fetches the record column
    blob = data[RECORD] if RECORD in data else getattr(instance, RECORD)
    if blob is None:
        plain = None
        for _, attname, field, _ in steps:
            if attname not in data:
                data[attname] = field.get_default()
    else:
        if type(blob) is not bytes:
            blob = data[RECORD] = bytes(blob)
        plain = _open(_row_keys(instance), blob, record.aad_prefix)
        values = unpack_record(plain)
        for name, attname, field, is_json in steps:
            if attname in data:
                continue
            try:
                value = values[name]
            except KeyError:
                value = field.get_default()
            else:
                if is_json and value is not None:
                    value = json.loads(value)
            data[attname] = value
    data[OPENED] = (blob, plain)


class RecordAttribute:
    """Reads a record field: the first read of any record field of a row opens the whole
    record and puts every value in the instance's `__dict__`, where later reads find it
    without calling this (a non-data descriptor). Assignment writes the instance's
    `__dict__`, and `save()` seals the record again."""

    def __init__(self, field: RecordField) -> None:
        self.field = field

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        open_record(instance)
        return instance.__dict__[self.field.attname]


class SealedRecordField(models.BinaryField):  # type: ignore[type-arg]
    """The `sealed` column: one AES-GCM ciphertext of all the row's record fields (a
    msgpack map, see `pack_record`), or NULL for a row whose record fields all hold
    their defaults. Loaded as raw bytes, without a per-row converter."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in ("exact", "in", "isnull"):
            raise EncryptedFieldMisuse(f"{self.name} is a sealed record: no `{lookup_name}`")
        return super().get_lookup(lookup_name)

    def pre_save(self, model_instance: models.Model, add: bool) -> bytes | None:
        data = model_instance.__dict__
        model = type(model_instance)
        record = layout(model)
        blob = data.get(self.attname)
        if blob is not None and type(blob) is not bytes:
            blob = data[self.attname] = bytes(blob)
        touched = not record.attnames.isdisjoint(data)
        if not touched and blob is None:
            return None  # no record, and no value given: every field reads its default
        scope = keys.tenant_scope(_tenant_id(model_instance))
        current = keys.current(scope)
        if not touched:
            if blob is not None and envelope.key_version(blob) == current.version:
                return blob
            open_record(model_instance)  # sealed under an older key version: seal again
        if OPENED not in data:
            open_record(model_instance)  # fills the values the code did not set
        values = {f.name: data[f.attname] for f in record.fields}
        plain = pack_record(model, values)
        opened_blob, opened_plain = data[OPENED]
        if (
            blob is not None
            and opened_blob is blob
            and opened_plain == plain
            and envelope.key_version(blob) == current.version
        ):
            return blob
        seal_id = model_instance.seal_id  # type: ignore[attr-defined]
        new = seal_record(model, _tenant_id(model_instance), seal_id, plain, current)
        data[self.attname] = new
        data[OPENED] = (new, plain)
        return new

    def value_to_string(self, obj: models.Model) -> str:
        """Serialisers (dumpdata) never see a tenant's data, not even as ciphertext."""
        raise EncryptedFieldMisuse(
            f"{obj._meta.label}.{self.name} is encrypted and is not serialised"
        )


# Fields --------------------------------------------------------------------------------


class EncryptedField(models.Field):  # type: ignore[type-arg]
    """What every encrypted field shares: no lookups, no serialising, a label."""

    def get_lookup(self, lookup_name: str) -> Any:
        raise EncryptedFieldMisuse(
            f"{self.label} is encrypted: `{lookup_name}` cannot work on ciphertext. "
            "Search with a BlindIndexField."
        )

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def value_to_string(self, obj: models.Model) -> str:
        """Serialisers (dumpdata) see neither plaintext nor ciphertext."""
        raise EncryptedFieldMisuse(f"{self.label} is encrypted and is not serialised")


class RecordField(EncryptedField):
    """A field kept in the row's sealed record, with no column of its own (a private
    field of the model, like a GenericForeignKey): migrations do not see it, adding one
    needs no migration, and rows sealed before it existed read its default."""

    def get_attname_column(self) -> tuple[str, None]:
        return self.get_attname(), None

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only=True)
        setattr(cls, self.attname, RecordAttribute(self))

    def db_type(self, connection: BaseDatabaseWrapper) -> None:
        return None

    def get_col(self, alias: str, output_field: Any = None) -> Any:
        raise EncryptedFieldMisuse(
            f"{self.label} is encrypted inside the row's sealed record and is not a column"
        )

    def to_record(self, value: Any) -> Any:
        """The value as stored in the record (msgpack): as is, for text."""
        return value


class EncryptedCharField(RecordField):
    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_length = max_length
        if max_length is not None:
            self.validators.append(validators.MaxLengthValidator(max_length))

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.max_length is not None:
            kwargs["max_length"] = self.max_length
        return name, path, args, kwargs

    def to_python(self, value: Any) -> Any:
        return value if value is None or isinstance(value, str) else str(value)

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(
            **{"form_class": forms.CharField, "max_length": self.max_length, **kwargs}
        )


class EncryptedTextField(EncryptedCharField):
    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"widget": forms.Textarea, **kwargs})


class EncryptedJSONField(RecordField):
    empty_strings_allowed = False

    def to_record(self, value: Any) -> Any:
        """Its JSON text (dates and decimals as DjangoJSONEncoder writes them)."""
        if value is None:
            return None
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})


class EncryptedAttribute(DeferredAttribute):
    """Reads an `EncryptedColumnField`: decrypts on first access and keeps the plaintext
    on the instance (in memory only)."""

    field: EncryptedColumnField

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        field = self.field
        data = instance.__dict__
        try:
            value = data[field.attname]
        except KeyError:
            value = super().__get__(instance, cls)  # deferred (.only()): fetch it
        if type(value) is not Ciphertext:
            return value
        plain = _open(_row_keys(instance), value.blob, field.aad_prefix)
        value = data[field.attname] = field.decode(plain)
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedColumnField(EncryptedField):
    """An encrypted field with a column of its own (one ciphertext per field and row);
    subclasses say how plaintext becomes bytes."""

    descriptor_class = EncryptedAttribute

    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError

    def get_internal_type(self) -> str:
        return "BinaryField"

    def get_lookup(self, lookup_name: str) -> Any:
        """Only lookups that make sense on ciphertext: exact/in (by stored bytes, for
        rotation) and isnull."""
        if lookup_name not in ("exact", "in", "isnull"):
            return super().get_lookup(lookup_name)
        return models.Field.get_lookup(self, lookup_name)

    @cached_property
    def aad_prefix(self) -> bytes:
        """The model-and-field part of the associated data."""
        return b"budstikke/field|" + self.label.encode()

    def context(self, tenant_id: int, seal_id: UUID) -> bytes:
        return self.aad_prefix + row_aad(tenant_id, seal_id)

    def open_raw(self, tenant_id: int, seal_id: UUID, value: Ciphertext) -> bytes:
        key = keys.key(keys.tenant_scope(tenant_id), value.version)
        return envelope.open_sealed(key.aead, value.blob, self.context(tenant_id, seal_id))

    def seal_raw(
        self, tenant_id: int, seal_id: UUID, data: bytes, key: keys.DataKey | None = None
    ) -> Ciphertext:
        key = key or keys.current(keys.tenant_scope(tenant_id))
        return Ciphertext(
            envelope.seal(key.aead, key.version, data, self.context(tenant_id, seal_id))
        )

    def pre_save(self, model_instance: models.Model, add: bool) -> Ciphertext | None:
        value = model_instance.__dict__.get(self.attname)
        if value is None:
            return None
        tenant_id = _tenant_id(model_instance)
        if isinstance(value, Ciphertext):
            if value.version == keys.current(keys.tenant_scope(tenant_id)).version:
                return value
            value = getattr(model_instance, self.attname)  # older key: re-encrypt
        return self.seal_raw(tenant_id, model_instance.seal_id, self.encode(value))  # type: ignore[attr-defined]

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Ciphertext | None:
        if value is None:
            return None
        return Ciphertext(value if type(value) is bytes else bytes(value))

    def get_prep_value(self, value: Any) -> bytes | None:
        if value is None:
            return None
        if isinstance(value, Ciphertext):
            return value.blob
        raise EncryptedFieldMisuse(
            f"{self.label} is encrypted: the database cannot compare or store plaintext. "
            "Write with save()."
        )

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        blob = value if prepared else self.get_prep_value(value)
        if isinstance(blob, Ciphertext):
            blob = blob.blob
        return None if blob is None else connection.Database.Binary(blob)  # type: ignore[attr-defined]


class EncryptedBinaryField(EncryptedColumnField):
    """Signatures, photos: bytes in, bytes out, in a column of their own so a list page
    never opens them."""

    empty_strings_allowed = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def get_default(self) -> Any:
        if self.has_default() or self.null:
            return super().get_default()
        return b""

    def encode(self, value: Any) -> bytes:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError(f"{self.label} holds bytes, not {type(value).__name__}")
        return bytes(value)

    def decode(self, data: bytes) -> bytes:
        return data


def record_fields(model: type[models.Model]) -> tuple[RecordField, ...]:
    return layout(model).fields


def blind_indexes(model: type[models.Model]) -> tuple[BlindIndexField, ...]:
    """The model's blind indexes (each over a record field, vault.E002 checks)."""
    found: tuple[BlindIndexField, ...] | None = model.__dict__.get("_vault_indexes")
    if found is None:
        found = tuple(f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField))
        model._vault_indexes = found  # type: ignore[attr-defined]
    return found


def encrypted_fields(model: type[models.Model]) -> list[EncryptedField]:
    """Every encrypted field of the model, record fields and encrypted columns, in
    declaration order."""
    return sorted(
        (f for f in model._meta.fields if isinstance(f, EncryptedField)),
        key=lambda f: f.creation_counter,
    )


# Blind indexes -------------------------------------------------------------------------


def normalise_email(value: str) -> str:
    """Whole address lower-cased: Budstikke treats mailbox names as case-insensitive."""
    return value.strip().lower()


def normalise_phone(value: str) -> str:
    """E.164 (+4512345678); numbers without a country code are read as Danish."""
    try:
        number = phonenumbers.parse(value, "DK")
    except phonenumbers.NumberParseException:
        return "unparsed:" + re.sub(r"\s+", "", value)
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def normalise_cvr(value: str) -> str:
    """A Danish company number: its digits (8), whatever the spacing or a DK prefix."""
    return re.sub(r"\D", "", value)


def normalise_exact(value: str) -> str:
    return value


NORMALISERS: dict[str, Callable[[str], str]] = {
    "email": normalise_email,
    "phone": normalise_phone,
    "cvr": normalise_cvr,
    "exact": normalise_exact,
}

INDEX_BYTES = 8
"""A blind index keeps the first 8 bytes (64 bits, 16 hex characters) of the HMAC: no
accidental collisions in a tenant's data, and every search re-checks the decrypted value."""


class BlindIndexField(models.CharField):  # type: ignore[type-arg]
    """HMAC-SHA256 of the normalised source value, under a key derived by HKDF from the
    tenant's DEK for this field only. Equal values give equal indexes within one tenant and
    key version, and nothing else is learnt from the column."""

    def __init__(self, *args: Any, source: str, normalizer: str = "exact", **kwargs: Any) -> None:
        if normalizer not in NORMALISERS:
            raise ValueError(f"normalizer must be one of {', '.join(NORMALISERS)}")
        self.source = source
        self.normalizer = normalizer
        kwargs["max_length"] = INDEX_BYTES * 2
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["normalizer"] = self.normalizer
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def source_field(self) -> EncryptedField:
        field = self.model._meta.get_field(self.source)
        if not isinstance(field, EncryptedField):
            raise TypeError(f"{self.model.__name__}.{self.source} is not an encrypted field")
        return field

    def normalise(self, value: str) -> str:
        return NORMALISERS[self.normalizer](value)

    def digest(self, key: keys.DataKey, value: Any) -> str:
        purpose = f"blind-index/{self.source_field().label}"
        mac = hmac.new(key.derive(purpose), self.normalise(str(value)).encode(), hashlib.sha256)
        return mac.hexdigest()[: INDEX_BYTES * 2]

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        """The digest under the tenant's current key version; kept as stored while the
        row's record was neither opened nor changed (it runs after the record's own
        pre_save, which opens a record sealed under an older key version)."""
        source = self.source_field()
        data = model_instance.__dict__
        if source.attname not in data:
            stored: str | None = data.get(self.attname)
            return stored
        value = data[source.attname]
        if value is None:
            digest = None
        else:
            scope = keys.tenant_scope(_tenant_id(model_instance))
            digest = self.digest(keys.current(scope), value)
        setattr(model_instance, self.attname, digest)
        return digest
