"""Encrypted model fields and blind indexes (ARCHITECTURE invariant 2).

The column holds only ciphertext (see envelope.py). Loading a row keeps the raw bytes in a
`Ciphertext`; the first attribute access decrypts with the row's own tenant key, and the
associated data binds tenant, model, field and the row's `seal_id`, so bytes copied to
another row, field or tenant do not open. `save()` encrypts with the tenant's current key
version and a fresh nonce. There is no way to ask the database to compare plaintext:
exact-match search goes through a `BlindIndexField`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

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
    """Raw stored bytes of an encrypted field, not yet opened. Never plaintext."""

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


class _RowKeys:
    """What every field of one loaded row needs to open: its tenant's `keys.Opener` and
    the row part of the associated data. Kept on the instance while its tenant and
    seal_id stay the same, so a list page builds it once per row, not once per field."""

    __slots__ = ("aad", "opener", "seal_id", "tenant_id")

    def __init__(self, instance: models.Model) -> None:
        self.tenant_id = tenant_id = _tenant_id(instance)
        self.seal_id = seal_id = instance.seal_id  # type: ignore[attr-defined]
        self.opener = keys.opener(tenant_id)
        self.aad = b"|t%d|r%s" % (tenant_id, seal_id.bytes)


class EncryptedAttribute(DeferredAttribute):
    """Decrypts on first access and keeps the plaintext on the instance (in memory only):
    fields a page never reads are never decrypted.

    This is the hot path of every list page, written out in one function: per field a few
    dict lookups (the row's keys are cached on the instance, see `_RowKeys`) and one
    AES-GCM open."""

    field: EncryptedField

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
        row: _RowKeys | None = data.get(ROW_KEYS)
        if (
            row is None
            or row.tenant_id is not data.get("tenant_id")
            or row.seal_id is not data.get("seal_id")
        ):
            row = data[ROW_KEYS] = _RowKeys(instance)
        blob = value.blob
        head = blob[:5]
        opener = row.opener
        aead = opener.by_head.get(head) or opener.aead(head)
        if len(blob) < envelope.MIN_LENGTH:
            raise MalformedCiphertext("not a vault ciphertext")
        try:
            plain = aead.decrypt(blob[5:17], blob[17:], head + field.aad_prefix + row.aad)
        except InvalidTag:
            raise DecryptionFailed("ciphertext does not open in this context") from None
        value = data[field.attname] = field.decode(plain)
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedField(models.Field):  # type: ignore[type-arg]
    """Base of the encrypted fields; subclasses say how plaintext becomes bytes."""

    descriptor_class = EncryptedAttribute

    def __init__(self, *args: Any, aad_label: str | None = None, **kwargs: Any) -> None:
        # The label is part of every ciphertext's associated data: renaming a model or
        # field means passing the old label here (or re-encrypting).
        self.aad_label = aad_label
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.aad_label is not None:
            kwargs["aad_label"] = self.aad_label
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "BinaryField"

    def get_lookup(self, lookup_name: str) -> Any:
        """Only lookups that make sense on ciphertext: exact/in (by stored bytes, for
        rotation) and isnull. `icontains` on ciphertext would silently match nothing."""
        if lookup_name not in ("exact", "in", "isnull"):
            raise EncryptedFieldMisuse(
                f"{self.label} is encrypted: `{lookup_name}` cannot work on ciphertext"
            )
        return super().get_lookup(lookup_name)

    # plaintext <-> bytes, per subclass
    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError

    @property
    def label(self) -> str:
        return self.aad_label or f"{self.model._meta.label_lower}.{self.name}"

    @cached_property
    def aad_prefix(self) -> bytes:
        """The model-and-field part of the associated data."""
        return b"budstikke/field|" + self.label.encode()

    def context(self, tenant_id: int, seal_id: UUID) -> bytes:
        return self.aad_prefix + b"|t%d|r%s" % (tenant_id, seal_id.bytes)

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
            "Search with a BlindIndexField and write with save()."
        )

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        blob = value if prepared else self.get_prep_value(value)
        if isinstance(blob, Ciphertext):
            blob = blob.blob
        return None if blob is None else connection.Database.Binary(blob)  # type: ignore[attr-defined]

    def value_to_string(self, obj: models.Model) -> str:
        """Serialisers (dumpdata) see ciphertext, never plaintext."""
        raise EncryptedFieldMisuse(f"{self.label} is encrypted and is not serialised")


class EncryptedCharField(EncryptedField):
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

    def encode(self, value: Any) -> bytes:
        return str(value).encode("utf-8")

    def decode(self, data: bytes) -> str:
        return data.decode("utf-8")

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(
            **{"form_class": forms.CharField, "max_length": self.max_length, **kwargs}
        )


class EncryptedTextField(EncryptedCharField):
    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"widget": forms.Textarea, **kwargs})


class EncryptedJSONField(EncryptedField):
    empty_strings_allowed = False

    def encode(self, value: Any) -> bytes:
        return json.dumps(
            value, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")

    def decode(self, data: bytes) -> Any:
        return json.loads(data)

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})


class EncryptedBinaryField(EncryptedField):
    """Signatures, photos: bytes in, bytes out."""

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
        source = self.source_field()
        value = model_instance.__dict__.get(source.attname)
        if value is None:
            digest = None
        else:
            scope = keys.tenant_scope(_tenant_id(model_instance))
            current = keys.current(scope)
            if isinstance(value, Ciphertext):
                if value.version == current.version:
                    stored: str | None = model_instance.__dict__.get(self.attname)
                    return stored
                value = getattr(model_instance, source.attname)
            digest = self.digest(current, value)
        setattr(model_instance, self.attname, digest)
        return digest
