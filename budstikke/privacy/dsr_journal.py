"""The erasure journal: what data-subject erasures changed, kept outside the database so a
restored backup cannot roll it back, and re-applied after every restore.

One JSON object per line in `DATA_DIR/privacy/erasures.jsonl`, appended and fsynced
inside the erasure's transaction (before it commits: a rolled-back erasure leaves an entry
that re-applying simply carries out, while an erasure committed without its entry could
come back with a backup). An entry names a row and fields, never their content:

    {"at": "2026-11-24T10:00:00+00:00", "tenant": 3, "model": "shipments.shipment",
     "pk": 812, "fields": ["recipient_name", "recipient_phone"]}

Entries that drop single people from a JSON list (a customer's contact persons) carry
HMACs of the dropped entries under a key derived from the tenant's data key, so the
journal can recognise them again without holding them: `"drop": {"field":
"contact_persons", "digests": ["9f…"]}`. Once the tenant's keys are shredded these
digests match nothing and mean nothing.

Re-applying sets each named field to its neutral value again (see `neutral`), clears the
blind indexes over it and, for a customer's name, its search tokens. It is idempotent:
rows already neutral are left alone, rows or tenants that no longer exist are skipped.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, models, transaction

from budstikke.core import clock
from budstikke.core.tenancy import TenantManager
from budstikke.tenants.models import Tenant
from budstikke.vault import keys
from budstikke.vault.errors import VaultError
from budstikke.vault.fields import BlindIndexField, EncryptedJSONField

log = logging.getLogger(__name__)

PURPOSE = "privacy.dsr-journal"


def path() -> Path:
    return Path(settings.DATA_DIR) / "privacy" / "erasures.jsonl"


def neutral(field: models.Field[Any, Any]) -> Any:
    """What an erased field holds: its empty default (JSON), NULL, or the empty string; a
    field named `erased_at` records when the erasure happened."""
    if field.name == "erased_at":
        return clock.now()
    if isinstance(field, EncryptedJSONField):
        return field.get_default()
    if field.null:
        return None
    return ""


def entry_digest(tenant_id: int, version: int, item: Any) -> str:
    key = keys.key(keys.tenant_scope(tenant_id), version).derive(PURPOSE)
    canonical = json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def row_entry(row: models.Model, fields: list[str]) -> dict[str, Any]:
    return {
        "at": clock.now().isoformat(),
        "tenant": row.tenant_id,  # type: ignore[attr-defined]
        "model": row._meta.label_lower,
        "pk": row.pk,
        "fields": sorted(fields),
    }


def drop_entry(row: models.Model, field: str, items: list[Any]) -> dict[str, Any]:
    tenant_id: int = row.tenant_id  # type: ignore[attr-defined]
    version = keys.current(keys.tenant_scope(tenant_id)).version
    return {
        **row_entry(row, []),
        "drop": {"field": field, "digests": [entry_digest(tenant_id, version, i) for i in items]},
    }


def append(entries: list[dict[str, Any]]) -> None:
    if not entries:
        return
    target = path()
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in entries)
    with open(target, "a", encoding="utf-8") as journal:
        journal.write(data)
        journal.flush()
        os.fsync(journal.fileno())


def read() -> Iterator[dict[str, Any]]:
    target = path()
    if not target.exists():
        return
    with open(target, encoding="utf-8") as journal:
        for number, line in enumerate(journal, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                log.error("erasure journal line %d is not JSON; skipped", number)


def _same(value: Any, wanted: Any) -> bool:
    return value == wanted or (wanted == "" and value is None)


def _index_names(model: type[models.Model], fields: list[str]) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, BlindIndexField) and f.source in fields
    ]


def neutralise(row: models.Model, fields: list[str], using: str | None = None) -> bool:
    """Set `fields` of `row` to their neutral values and clear the blind indexes over them;
    False when they already were (nothing written). Fields of the row's sealed record are
    sealed again together with its other fields, so a row whose record does not open is
    left as it is (the VaultError is raised); an encrypted column that does not open is
    overwritten."""
    model = type(row)
    using = using or row._state.db or "default"
    indexes = _index_names(model, fields)
    changed = []
    for name in fields:
        target = model._meta.get_field(name)
        assert isinstance(target, models.Field)
        wanted = neutral(target)
        try:
            current = getattr(row, name)
        except VaultError:
            current = object()
        if name == "erased_at" and current is not None:
            continue  # erased before: keep the first time
        if not _same(current, wanted):
            setattr(row, name, wanted)
            changed.append(name)
    if changed:
        row.save(using=using, update_fields=changed)
    dirty = [i for i in indexes if getattr(row, i) is not None]
    if dirty:
        model._base_manager.using(using).filter(pk=row.pk).update(**dict.fromkeys(dirty))
    if model._meta.label_lower == "customers.customer" and "name" in fields:
        token = apps.get_model("customers", "NameToken")
        token.objects.db_manager(using).for_tenant(row.tenant).filter(customer_id=row.pk).delete()  # type: ignore[attr-defined]
    return bool(changed or dirty)


def drop_items(row: models.Model, field: str, digests: set[str], using: str) -> bool:
    tenant_id: int = row.tenant_id  # type: ignore[attr-defined]
    versions = keys.live_versions(keys.tenant_scope(tenant_id))
    items = list(getattr(row, field) or [])
    kept = [
        item
        for item in items
        if not any(entry_digest(tenant_id, v, item) in digests for v in versions)
    ]
    if len(kept) == len(items):
        return False
    setattr(row, field, kept)
    row.save(using=using, update_fields=[field])
    return True


@dataclass
class Reapplied:
    applied: int = 0
    unchanged: int = 0
    skipped: int = 0

    def line(self) -> str:
        return (
            f"erasure journal: {self.applied} erasure(s) applied again, "
            f"{self.unchanged} already in place, {self.skipped} skipped (row or tenant gone)"
        )


def _apply(entry: dict[str, Any], tenants: dict[int, Tenant | None], using: str) -> bool | None:
    """True: changed; False: already erased; None: nothing to apply to."""
    tenant_id = int(entry["tenant"])
    if tenant_id not in tenants:
        tenants[tenant_id] = Tenant.objects.using(using).filter(pk=tenant_id).first()
    tenant = tenants[tenant_id]
    try:
        model = apps.get_model(entry["model"])
    except LookupError:
        return None
    if tenant is None:
        return None
    manager = model._default_manager.db_manager(using)
    assert isinstance(manager, TenantManager)
    row = manager.for_tenant(tenant).filter(pk=entry["pk"]).first()
    if row is None:
        return None
    changed = False
    if entry.get("fields"):
        changed |= neutralise(row, list(entry["fields"]), using)
    if entry.get("drop"):
        drop = entry["drop"]
        changed |= drop_items(row, drop["field"], set(drop["digests"]), using)
    return changed


def reapply(*, tenant_id: int | None = None, using: str = "default") -> Reapplied:
    """Carry out every journal entry again (of one tenant, or all) in database `using`."""
    report = Reapplied()
    tenants: dict[int, Tenant | None] = {}
    for entry in read():
        if tenant_id is not None and int(entry["tenant"]) != tenant_id:
            continue
        try:
            with transaction.atomic(using=using):
                outcome = _apply(entry, tenants, using)
        except (VaultError, DatabaseError, LookupError, KeyError, ValueError) as exc:
            log.warning(
                "erasure journal: %s %s not re-applied: %s",
                entry.get("model"),
                entry.get("pk"),
                type(exc).__name__,
            )
            outcome = None
        if outcome is None:
            report.skipped += 1
        elif outcome:
            report.applied += 1
        else:
            report.unchanged += 1
    if report.applied:
        log.warning(report.line())
    return report
