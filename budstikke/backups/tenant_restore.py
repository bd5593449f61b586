"""Put one tenant's rows back from a backup, touching no other tenant (a customer's own
mistake, such as deleted shipments).

The backup is restored into a scratch copy; the tenant's row and every row of every model
with a `tenant` foreign key (TenantOwned and EncryptedModel subclasses, memberships, …) are
read from it and written to the live database in dependency order, in one transaction:
missing rows are inserted, rows that differ are set back to the backup's values, rows
created since the backup stay. Values are copied as stored, so encrypted fields stay
ciphertext under the tenant's keys; a crypto-shredded tenant is refused (its data would
stay unreadable whatever is restored). Any conflict rolls everything back.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from budstikke.backups import actions, archive, drill, engines, targets
from budstikke.tenants.models import Tenant
from budstikke.vault import shredding

log = logging.getLogger(__name__)
_BATCH = 500


class TenantRestoreError(Exception):
    """The tenant cannot be restored from this backup; nothing was changed."""


@dataclass
class TableOutcome:
    table: str
    in_backup: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    references_cleared: int = 0


@dataclass
class TenantRestoreReport:
    backup_id: str
    slug: str
    dry_run: bool
    tables: list[TableOutcome] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def inserted(self) -> int:
        return sum(t.inserted for t in self.tables)

    @property
    def updated(self) -> int:
        return sum(t.updated for t in self.tables)


def tenant_models() -> list[type[models.Model]]:
    """Tenant first, then every concrete model with a `tenant` FK, parents before children."""
    owned = [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and model._meta.managed
        and any(
            f.name == "tenant" and f.many_to_one and f.related_model is Tenant
            for f in model._meta.concrete_fields
        )
    ]
    ordered: list[type[models.Model]] = [Tenant]
    remaining = sorted(owned, key=lambda m: m._meta.label)
    while remaining:
        for model in remaining:
            parents = {
                f.related_model
                for f in model._meta.concrete_fields
                if f.many_to_one and f.related_model is not model
            }
            if not any(p in remaining for p in parents):
                ordered.append(model)
                remaining.remove(model)
                break
        else:  # a cycle: deferred constraints let the rest go in any order
            ordered += remaining
            break
    return ordered


def _live_rows(
    table: str, columns: Sequence[str], pk: str, pks: Sequence[Any]
) -> dict[Any, tuple[Any, ...]]:
    qn = connection.ops.quote_name
    found: dict[Any, tuple[Any, ...]] = {}
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), _BATCH):
            batch = list(pks[start : start + _BATCH])
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"SELECT {cols} FROM {qn(table)} WHERE {qn(pk)} IN ({marks})",  # noqa: S608
                batch,
            )
            for row in cursor.fetchall():
                found[row[columns.index(pk)]] = tuple(row)
    return found


def _same(live: tuple[Any, ...], restored: tuple[Any, ...]) -> bool:
    return all(a == b for a, b in zip(live, restored, strict=True))


def _clear_missing_references(
    model: type[models.Model],
    columns: list[str],
    rows: list[list[Any]],
    restoring: set[type[models.Model]],
    outcome: TableOutcome,
) -> None:
    """A row may point at something outside the tenant (a user) that no longer exists:
    a nullable reference is cleared, as deleting it would have done; otherwise refuse."""
    for f in model._meta.concrete_fields:
        if not f.many_to_one or f.related_model in restoring or f.related_model is None:
            continue
        related: type[models.Model] = f.related_model
        at = columns.index(str(f.column))
        wanted = {row[at] for row in rows if row[at] is not None}
        if not wanted:
            continue
        present = set(related._base_manager.filter(pk__in=wanted).values_list("pk", flat=True))
        for row in rows:
            if row[at] is not None and row[at] not in present:
                if not f.null:
                    raise TenantRestoreError(
                        f"{model._meta.db_table}: a row refers to {related._meta.label} "
                        f"{row[at]}, which no longer exists"
                    )
                row[at] = None
                outcome.references_cleared += 1


def _restore_model(
    scratch: engines.Scratch,
    model: type[models.Model],
    tenant_id: int,
    restoring: set[type[models.Model]],
    dry_run: bool,
) -> TableOutcome:
    meta = model._meta
    table = meta.db_table
    columns = [str(f.column) for f in meta.concrete_fields]
    assert meta.pk is not None
    pk = str(meta.pk.column)
    outcome = TableOutcome(table)
    stored = scratch.columns(table)
    if sorted(stored) != sorted(columns):
        raise TenantRestoreError(
            f"{table} has other columns in the backup than now (the schema changed since); "
            "restore the whole backup into a new installation instead"
        )
    where = pk if model is Tenant else str(meta.get_field("tenant").column)  # type: ignore[union-attr]
    rows = [list(r) for r in scratch.select(table, columns, where, tenant_id)]
    outcome.in_backup = len(rows)
    if not rows:
        return outcome
    _clear_missing_references(model, columns, rows, restoring, outcome)
    at = columns.index(pk)
    live = _live_rows(table, columns, pk, [row[at] for row in rows])
    if model is not Tenant:
        tenant_at = columns.index(where)
        foreign = [k for k, r in live.items() if r[tenant_at] != tenant_id]
        if foreign:
            raise TenantRestoreError(f"{table}: rows {foreign[:5]} now belong to another tenant")
    inserts = [row for row in rows if row[at] not in live]
    updates = [row for row in rows if row[at] in live and not _same(live[row[at]], tuple(row))]
    outcome.inserted, outcome.updated = len(inserts), len(updates)
    outcome.unchanged = len(rows) - len(inserts) - len(updates)
    if dry_run:
        return outcome
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if inserts:
            cursor.executemany(
                f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * len(columns))})",
                inserts,
            )
        if updates:
            others = [c for c in columns if c != pk]
            cursor.executemany(
                f"UPDATE {qn(table)} SET {', '.join(f'{qn(c)} = %s' for c in others)} "  # noqa: S608
                f"WHERE {qn(pk)} = %s",
                [[row[columns.index(c)] for c in others] + [row[at]] for row in updates],
            )
    return outcome


def restore_tenant(backup_id: str, slug: str, *, dry_run: bool = False) -> TenantRestoreReport:
    target = targets.configured()
    manifest = target.manifest(backup_id)
    engine = engines.current()
    if manifest.engine != engine.name:
        raise TenantRestoreError(f"backup {backup_id} is a {manifest.engine} backup")
    report = TenantRestoreReport(backup_id, slug, dry_run)
    with (
        actions.backup_lock(wait=True) as workdir,
        tempfile.TemporaryDirectory(dir=workdir) as tmp,
    ):
        path = target.fetch(backup_id, Path(tmp))
        if archive.sha256_of(path).sha256 != manifest.sha256:
            raise TenantRestoreError("the archive's SHA-256 differs from its manifest")
        extracted = drill.extract(path, Path(tmp) / "content")
        with engine.scratch(extracted.database, Path(tmp)) as scratch:
            rows = scratch.select(Tenant._meta.db_table, ["id", "slug"], "slug", slug)
            if not rows:
                raise TenantRestoreError(f"backup {backup_id} holds no tenant {slug!r}")
            tenant_id = int(rows[0][0])
            live = Tenant.objects.filter(slug=slug).first()
            if live is not None and live.pk != tenant_id:
                raise TenantRestoreError(
                    f"tenant {slug!r} was created anew since the backup (another id)"
                )
            probe = live or Tenant(pk=tenant_id, slug=slug)
            if shredding.is_shredded(probe) or (
                live is not None and live.status == Tenant.Status.PURGED
            ):
                raise TenantRestoreError(
                    f"tenant {slug!r} was crypto-shredded; its data cannot be made readable"
                )
            models_ = tenant_models()
            restoring = set(models_)
            stored_tables = set(scratch.row_counts())
            with transaction.atomic():
                for model in models_:
                    if model._meta.db_table not in stored_tables:
                        report.skipped.append(model._meta.db_table)
                        continue
                    report.tables.append(
                        _restore_model(scratch, model, tenant_id, restoring, dry_run)
                    )
                if not dry_run:
                    # Erasures made since the backup must not come back with it.
                    from budstikke.privacy import dsr_journal

                    dsr_journal.reapply(tenant_id=tenant_id)
    if not dry_run:
        log.warning(
            "backup %s: tenant %s restored (%d rows inserted, %d updated)",
            backup_id,
            tenant_id,
            report.inserted,
            report.updated,
        )
    return report
