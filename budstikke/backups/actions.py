"""Every write of the backups app: make a backup, verify one, prune, restore the whole
installation, alert the operators. (Restoring one tenant: tenant_restore.py.)"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import shutil
import socket
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from budstikke.backups import archive, drill, engines, retention, targets
from budstikke.backups.models import BackupCheck, BackupRun
from budstikke.core import clock

log = logging.getLogger(__name__)

ABANDONED_AFTER = timedelta(hours=24)


class BackupBusyError(Exception):
    """Another backup, verification or restore holds the backup lock."""


class BackupFailedError(Exception):
    """A backup could not be made or did not pass its restore drill."""


def work_dir() -> Path:
    """Scratch space beside the backups (snapshots, partial archives, drills)."""
    path = Path(settings.BACKUP_DIR) / ".work"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


@contextmanager
def backup_lock(*, wait: bool) -> Iterator[Path]:
    """One backup operation at a time per backup directory. The kernel drops the lock when
    its process dies, even by kill -9."""
    workdir = work_dir()
    fd = os.open(workdir / "lock", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise BackupBusyError("another backup is running") from None
        try:
            yield workdir
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_backup_id() -> str:
    return f"{clock.now():%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _mark_abandoned() -> int:
    """Runs this host began and never finished (the lock is ours, so nothing here runs
    them any more), and anyone's after a day: they were never good."""
    now = clock.now()
    return (
        BackupRun.objects.filter(status=BackupRun.Status.RUNNING)
        .filter(Q(host=socket.gethostname()) | Q(started_at__lt=now - ABANDONED_AFTER))
        .update(
            status=BackupRun.Status.ABANDONED,
            finished_at=now,
            error="stopped before its restore drill passed (process killed or crashed)",
        )
    )


def _clear(workdir: Path) -> None:
    """Leftovers of interrupted runs (partial archives, snapshots, drill copies)."""
    for entry in workdir.iterdir():
        if entry.name == "lock":
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def create_backup(trigger: str = BackupRun.Trigger.MANUAL) -> BackupRun:
    """Snapshot, seal, drill, store; only a backup whose drill passed is marked good.
    A failure is recorded, logged at ERROR and emailed to the operators."""
    with backup_lock(wait=False) as workdir:
        _mark_abandoned()
        _clear(workdir)
        engine = engines.current()
        target = targets.configured()
        run = BackupRun.objects.create(
            backup_id=new_backup_id(),
            trigger=trigger,
            engine=engine.name,
            target=target.describe(),
            host=socket.gethostname(),
            pid=os.getpid(),
        )
        try:
            _make(run, engine, target, workdir)
        except Exception as exc:  # every failure must reach the operator
            _fail(run, f"{type(exc).__name__}: {exc}")
            return run
        finally:
            _clear(workdir)
        prune(target)
    return run


def _make(run: BackupRun, engine: engines.Engine, target: targets.Target, workdir: Path) -> None:
    snapshot_path = workdir / f"{run.backup_id}.snapshot"
    snapshot = engine.snapshot(snapshot_path)
    media = archive.media_files()
    media_stats = {"files": len(media), "bytes": sum(p.stat().st_size for _, p in media)}
    header = {
        "format": 1,
        "backup_id": run.backup_id,
        "created_at": run.started_at.isoformat(),
        "engine": engine.name,
        "tables": snapshot.tables,
        "migrations": snapshot.migrations,
        "media": media_stats,
    }
    partial = workdir / f"{run.backup_id}{targets.ARCHIVE_SUFFIX}.partial"
    written = archive.write(
        partial, header, [(archive.DATABASE_MEMBERS[engine.name], snapshot_path), *media]
    )
    snapshot_path.unlink()
    run.sealed_at = clock.now()
    run.size, run.sha256 = written.size, written.sha256
    run.tables, run.rows = len(snapshot.tables), sum(snapshot.tables.values())
    run.drill_started_at = clock.now()
    run.save()

    findings = drill.check(partial, workdir, size=written.size, sha256=written.sha256)
    run.drill_finished_at = clock.now()
    run.save(update_fields=["drill_finished_at"])
    BackupCheck.objects.create(
        backup_id=run.backup_id,
        kind=BackupCheck.Kind.DRILL,
        started_at=run.drill_started_at,
        finished_at=run.drill_finished_at,
        ok=findings.ok,
        detail=findings.summary()[:2000],
    )
    if not findings.ok:
        raise BackupFailedError(f"restore drill failed: {findings.summary()}")
    seal = archive.header_of(partial)["seal"]
    manifest = targets.Manifest(
        id=run.backup_id,
        created_at=run.started_at.isoformat(),
        engine=engine.name,
        size=written.size,
        sha256=written.sha256,
        migrations=snapshot.migrations,
        tables=snapshot.tables,
        media=media_stats,
        key={"scope": seal["key_scope"], "version": seal["key_version"]},
        verified_at=run.drill_finished_at.isoformat(),
    )
    target.store(manifest, partial)
    run.status = BackupRun.Status.GOOD
    run.finished_at = clock.now()
    run.save(update_fields=["status", "finished_at"])
    log.info(
        "backup %s good: %d bytes, %d tables, %d rows, drill %.1f s",
        run.backup_id,
        run.size,
        run.tables,
        run.rows,
        run.drill_seconds or 0.0,
    )


def _fail(run: BackupRun, reason: str) -> None:
    reason = reason[:1000]
    BackupRun.objects.filter(pk=run.pk).update(
        status=BackupRun.Status.FAILED, finished_at=clock.now(), error=reason
    )
    run.refresh_from_db()
    alert_operators(run.backup_id, reason)


def alert_operators(backup_id: str, reason: str) -> None:
    """Console (log at ERROR) and email to every active operator, in their language."""
    log.error("backup %s FAILED: %s", backup_id, reason)
    from budstikke.accounts.models import User

    try:
        with transaction.atomic():
            for email, language in User.objects.filter(
                is_operator=True, is_active=True
            ).values_list("email", "language"):
                with translation.override(language or settings.LANGUAGE_CODE):
                    send_mail(
                        _("Budstikke: backup %(id)s failed") % {"id": backup_id},
                        _(
                            "The backup %(id)s did not pass its restore drill or could not "
                            "be made, so it does not count as a backup.\n\n"
                            "Reason: %(reason)s\n\nSee %(url)s for the last good backup and "
                            "what to do."
                        )
                        % {
                            "id": backup_id,
                            "reason": reason,
                            "url": f"{settings.PUBLIC_URL}/ops/backups/",
                        },
                        None,
                        [email],
                    )
    except DatabaseError:
        log.exception("backup %s: the operators could not be emailed", backup_id)


def prune(target: targets.Target | None = None) -> list[str]:
    """Delete backup sets outside the retention; never the newest good one."""
    target = target or targets.configured()
    manifests = target.manifests()
    keep = retention.to_keep(
        manifests,
        last=settings.BACKUP_KEEP_LAST,
        daily=settings.BACKUP_KEEP_DAILY,
        monthly=settings.BACKUP_KEEP_MONTHLY,
        zone=settings.TIME_ZONE,
    )
    removed = []
    for manifest in manifests:
        if manifest.id not in keep:
            target.delete(manifest.id)
            removed.append(manifest.id)
    if removed:
        BackupRun.objects.filter(backup_id__in=removed).update(pruned_at=clock.now())
        log.info("backups pruned: %s", ", ".join(removed))
    return removed


def sync_journal(target: targets.Target | None = None) -> list[targets.Manifest]:
    """Make the journal agree with the target (after a restore put an older journal back):
    every stored backup is a good run. Returns the stored manifests, oldest first."""
    target = target or targets.configured()
    manifests = target.manifests()
    for manifest in manifests:
        BackupRun.objects.update_or_create(
            backup_id=manifest.id,
            defaults={
                "status": BackupRun.Status.GOOD,
                "engine": manifest.engine,
                "target": target.describe(),
                "size": manifest.size,
                "sha256": manifest.sha256,
                "tables": len(manifest.tables),
                "rows": manifest.rows,
                "finished_at": datetime.fromisoformat(manifest.verified_at),
                "pruned_at": None,
            },
            create_defaults={
                "status": BackupRun.Status.GOOD,
                "trigger": BackupRun.Trigger.SCHEDULE,
                "engine": manifest.engine,
                "target": target.describe(),
                "host": "",
                "pid": 0,
                "started_at": manifest.created,
                "size": manifest.size,
                "sha256": manifest.sha256,
                "tables": len(manifest.tables),
                "rows": manifest.rows,
                "finished_at": datetime.fromisoformat(manifest.verified_at),
            },
        )
    return manifests


def list_backups() -> list[targets.Manifest]:
    with backup_lock(wait=True):
        _mark_abandoned()
    return sync_journal()


def verify(backup_id: str, *, kind: str = BackupCheck.Kind.VERIFY) -> drill.Findings:
    """Fetch a stored backup and run the whole drill on it again; the result is recorded."""
    target = targets.configured()
    manifest = target.manifest(backup_id)
    started = clock.now()
    with backup_lock(wait=True) as workdir, tempfile.TemporaryDirectory(dir=workdir) as tmp:
        path = target.fetch(backup_id, Path(tmp))
        findings = drill.check(
            path,
            workdir,
            size=manifest.size,
            sha256=manifest.sha256,
            expect={
                "backup_id": manifest.id,
                "engine": manifest.engine,
                "tables": manifest.tables,
                "migrations": manifest.migrations,
                "media": manifest.media,
            },
        )
    BackupCheck.objects.create(
        backup_id=backup_id,
        kind=kind,
        started_at=started,
        finished_at=clock.now(),
        ok=findings.ok,
        detail=findings.summary()[:2000],
    )
    return findings


@dataclass
class RestoreOutcome:
    done: bool
    lines: list[str] = field(default_factory=list)


def restore_installation(backup_id: str, confirm: Callable[[str], bool]) -> RestoreOutcome:
    """Restore the whole installation into a new database, check it, and after `confirm`
    switch it in (SQLite: the file is swapped, the old one kept) or say how (PostgreSQL)."""
    target = targets.configured()
    manifest = target.manifest(backup_id)
    engine = engines.current()
    if manifest.engine != engine.name:
        raise BackupFailedError(
            f"backup {backup_id} is a {manifest.engine} backup; this is {engine.name}"
        )
    with backup_lock(wait=True) as workdir, tempfile.TemporaryDirectory(dir=workdir) as tmp:
        path = target.fetch(backup_id, Path(tmp))
        if archive.sha256_of(path).sha256 != manifest.sha256:
            raise BackupFailedError(
                "the archive's SHA-256 differs from its manifest; not restoring"
            )
        extracted = drill.extract(path, Path(tmp) / "content")
        findings = drill.Findings()
        with engine.scratch(extracted.database, Path(tmp)) as scratch:
            drill.compare(extracted, scratch, findings)
        if not findings.ok:
            raise BackupFailedError(f"the restored copy fails its checks: {findings.summary()}")
        question = (
            f"Backup {backup_id} of {manifest.created_at} ({findings.tables} tables, "
            f"{findings.rows} rows) restores cleanly. Replace the live database with it?"
        )
        if not confirm(question):
            return RestoreOutcome(False, ["nothing changed"])
        if isinstance(engine, engines.SqliteEngine):
            return _switch_sqlite(backup_id, extracted)
        return _restore_postgres(backup_id, extracted)


def _stamp() -> str:
    return f"{clock.now():%Y%m%dT%H%M%S}"


def _switch_media(extracted: drill.Extracted, lines: list[str]) -> None:
    live = archive.media_root()
    if not extracted.media.exists() and not live.exists():
        return
    if live.exists():
        kept = live.with_name(f"{live.name}.before-restore-{_stamp()}")
        live.rename(kept)
        lines.append(f"previous stored files kept in {kept}")
    if extracted.media.exists():
        shutil.move(extracted.media, live)
        lines.append(f"stored files restored into {live} ({extracted.media_files} files)")


def _switch_sqlite(backup_id: str, extracted: drill.Extracted) -> RestoreOutcome:
    name = str(connection.settings_dict["NAME"])
    live = Path(name)
    if name.startswith("file:") or name == ":memory:" or not live.is_file():
        raise BackupFailedError(f"the live database {name!r} is not a file that can be swapped")
    staging = live.with_name(f".{live.name}.restore-{backup_id}")
    staging.unlink(missing_ok=True)
    shutil.move(extracted.database, staging)
    connections.close_all()
    with closing(sqlite3.connect(live, timeout=60)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    kept = live.with_name(f"{live.name}.before-restore-{_stamp()}")
    os.replace(live, kept)
    for suffix in ("-wal", "-shm"):
        side = live.with_name(live.name + suffix)
        if side.exists():
            os.replace(side, kept.with_name(kept.name + suffix))
    os.replace(staging, live)
    lines = [f"database restored from {backup_id} into {live}", f"previous database kept as {kept}"]
    _switch_media(extracted, lines)
    sync_journal()
    from budstikke.privacy.restore import after_restore

    lines += after_restore()
    lines.append("restart the web server and the worker now")
    return RestoreOutcome(True, lines)


def _restore_postgres(backup_id: str, extracted: drill.Extracted) -> RestoreOutcome:
    live = str(connection.settings_dict["NAME"])
    new = f"{live[:40]}_restore_{_stamp().lower()}"
    engine = engines.PostgresEngine()
    with engine.restored(extracted.database, new):
        pass
    staged_media = None
    if extracted.media.exists():
        staged_media = archive.media_root().with_name(f"media.restore-{backup_id}")
        shutil.move(extracted.media, staged_media)
    lines = [
        f"backup {backup_id} restored into the new database {new}; the live one is untouched",
        "switch in one of two ways, with the web servers and workers stopped:",
        f"  a) set DATABASE_URL to name the database {new} and start again, or",
        f'  b) psql: ALTER DATABASE "{live}" RENAME TO "{live[:40]}_before_restore";',
        f'           ALTER DATABASE "{new}" RENAME TO "{live}";',
        "then run `manage.py backup list` once so the backup journal matches the target,",
        "and `manage.py privacy after-restore`, which deletes again what was purged or",
        "erased since the backup (the nightly privacy job does it too)",
    ]
    if staged_media is not None:
        lines.append(f"stored files are in {staged_media}: move it to {archive.media_root()}")
    return RestoreOutcome(True, lines)
