"""How encrypted text and JSON fields were stored before the sealed record, and the
migration step that folds those columns into it.

Before, each `EncryptedCharField`/`EncryptedTextField`/`EncryptedJSONField` had a column
of its own holding `envelope` ciphertext whose associated data was
``b"budstikke/field|<app>.<model>.<field>|t<tenant id>|r<seal_id bytes>"``. Old
migrations name `EncryptedColumn` for those columns; `FoldIntoRecord` moves each row's
values into its `sealed` record (fields.py) before the columns are removed. Both are
frozen: migrations that ran once must mean the same thing forever.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

from budstikke.vault import envelope, keys
from budstikke.vault.errors import TenantKeyDestroyed


class EncryptedColumn(models.BinaryField):  # type: ignore[type-arg]
    """A column of per-field ciphertext, as old migrations created it."""

    def __init__(self, *args: Any, aad_label: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


def _field_context(label: str, tenant_id: int, seal_id: Any) -> bytes:
    return b"budstikke/field|" + label.encode() + b"|t%d|r%s" % (tenant_id, seal_id.bytes)


def _record_context(label: str, tenant_id: int, seal_id: Any) -> bytes:
    return b"budstikke/record|" + label.encode() + b"|t%d|r%s" % (tenant_id, seal_id.bytes)


def _open(tenant_id: int, blob: Any, context: bytes) -> bytes:
    blob = bytes(blob)
    key = keys.key(keys.tenant_scope(tenant_id), envelope.key_version(blob))
    return envelope.open_sealed(key.aead, blob, context)


def _seal(tenant_id: int, plain: bytes, context: bytes) -> bytes:
    key = keys.current(keys.tenant_scope(tenant_id))
    return envelope.seal(key.aead, key.version, plain, context)


class FoldIntoRecord(migrations.RunPython):
    """Moves the values of `columns` (EncryptedColumn) of every row of one model into its
    sealed record. A tenant whose keys were shredded keeps no readable values: its rows
    get no record (all fields empty). Irreversible: the columns it empties are dropped
    after it, and restoring the old layout is a backup restore, not a migration."""

    def __init__(self, model_name: str, columns: list[str]) -> None:
        self.model_name = model_name
        self.columns = columns
        super().__init__(self.fold, elidable=False)

    def deconstruct(self) -> Any:
        return (self.__class__.__name__, [self.model_name, self.columns], {})

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._app_label = app_label
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def fold(self, apps: Any, schema_editor: Any) -> None:
        import msgpack

        model = apps.get_model(self._app_label, self.model_name)
        label = model._meta.label_lower
        rows = model._base_manager.using(schema_editor.connection.alias)
        for pk, tenant_id, seal_id, *blobs in rows.values_list(
            "pk", "tenant_id", "seal_id", *self.columns
        ).iterator(chunk_size=1000):
            values: dict[str, Any] = {}
            try:
                for name, blob in zip(self.columns, blobs, strict=True):
                    if blob is None:
                        values[name] = None
                        continue
                    plain = _open(
                        tenant_id, blob, _field_context(f"{label}.{name}", tenant_id, seal_id)
                    )
                    values[name] = plain.decode("utf-8")  # text, or JSON as its text
            except TenantKeyDestroyed:
                continue
            sealed = _seal(
                tenant_id, msgpack.packb(values), _record_context(label, tenant_id, seal_id)
            )
            rows.filter(pk=pk).update(sealed=sealed)
