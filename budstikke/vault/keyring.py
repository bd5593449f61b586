"""The keyring: wrapped data keys in their own SQLite file in the keys directory.

Never in the application database, so never in a database backup. Wrapped keys are useless
without the KEK. Deleting a key overwrites its bytes (`secure_delete`) and the file uses a
rollback journal, not WAL, so a shredded key leaves no copy in a write-ahead log.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from budstikke.core import clock
from budstikke.vault.errors import TenantKeyDestroyed
from budstikke.vault.providers import ensure_private_dir, write_private_file

FILENAME = "keyring.sqlite3"
BACKUP_DIRNAME = "keyring-backups"

CURRENT = "current"  # used for new writes (one per scope)
LIVE = "live"  # older, still readable while rows use it
RETIRED = "retired"  # no row uses it; wrapped key deleted
DESTROYED = "destroyed"  # crypto-shredded

_SCHEMA = """
CREATE TABLE IF NOT EXISTS data_key (
    scope TEXT NOT NULL,
    version INTEGER NOT NULL,
    state TEXT NOT NULL,
    kek_id TEXT,
    wrapped BLOB,
    created_at TEXT NOT NULL,
    retired_at TEXT,
    PRIMARY KEY (scope, version)
);
CREATE TABLE IF NOT EXISTS shredded (scope TEXT PRIMARY KEY, shredded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rotation (
    scope TEXT PRIMARY KEY,
    to_version INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT,
    rows_reencrypted INTEGER NOT NULL DEFAULT 0,
    rows_remaining INTEGER,
    errors INTEGER NOT NULL DEFAULT 0
);
"""


@dataclass(frozen=True, slots=True)
class KeyRecord:
    scope: str
    version: int
    state: str
    kek_id: str | None
    wrapped: bytes | None
    created_at: str
    retired_at: str | None


@dataclass(frozen=True, slots=True)
class Rotation:
    scope: str
    to_version: int
    started_at: str
    updated_at: str
    finished_at: str | None
    rows_reencrypted: int
    rows_remaining: int | None
    errors: int


Wrapper = Callable[[str, int], tuple[str, bytes]]
"""Given (scope, version), makes a fresh DEK and returns (kek_id, wrapped)."""


class Keyring:
    def __init__(self, keys_dir: Path) -> None:
        self.keys_dir = keys_dir
        self.path = keys_dir / FILENAME

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self.path.exists():
            ensure_private_dir(self.keys_dir)
            with suppress(FileExistsError):
                write_private_file(self.path, b"")
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
            db.execute("PRAGMA secure_delete=ON")
            db.execute("PRAGMA journal_mode=DELETE")
            db.executescript(_SCHEMA)
            yield db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @staticmethod
    def _now() -> str:
        return clock.now().isoformat()

    def records(self, scope: str | None = None) -> list[KeyRecord]:
        query = (
            "SELECT scope, version, state, kek_id, wrapped, created_at, retired_at FROM data_key"
        )
        with self._connect() as db:
            if scope is None:
                rows = db.execute(query + " ORDER BY scope, version").fetchall()
            else:
                rows = db.execute(query + " WHERE scope = ? ORDER BY version", (scope,)).fetchall()
        return [KeyRecord(*row) for row in rows]

    def record(self, scope: str, version: int) -> KeyRecord | None:
        return next((r for r in self.records(scope) if r.version == version), None)

    def is_shredded(self, scope: str) -> bool:
        with self._connect() as db:
            return (
                db.execute("SELECT 1 FROM shredded WHERE scope = ?", (scope,)).fetchone()
                is not None
            )

    def current_or_create(self, scope: str, make: Wrapper) -> KeyRecord:
        """The scope's current key, creating version 1 on first use (once, across processes)."""
        with self._transaction() as db:
            self._refuse_shredded(db, scope)
            row = db.execute(
                "SELECT scope, version, state, kek_id, wrapped, created_at, retired_at "
                "FROM data_key WHERE scope = ? AND state = ?",
                (scope, CURRENT),
            ).fetchone()
            if row:
                return KeyRecord(*row)
            return self._insert(db, scope, make)

    def add_version(self, scope: str, make: Wrapper) -> KeyRecord:
        """A new current version; the old current stays readable (`live`)."""
        with self._transaction() as db:
            self._refuse_shredded(db, scope)
            db.execute(
                "UPDATE data_key SET state = ? WHERE scope = ? AND state = ?",
                (LIVE, scope, CURRENT),
            )
            return self._insert(db, scope, make)

    def _refuse_shredded(self, db: sqlite3.Connection, scope: str) -> None:
        if db.execute("SELECT 1 FROM shredded WHERE scope = ?", (scope,)).fetchone():
            raise TenantKeyDestroyed(f"the keys of {scope} were destroyed")

    def _insert(self, db: sqlite3.Connection, scope: str, make: Wrapper) -> KeyRecord:
        (latest,) = db.execute(
            "SELECT MAX(version) FROM data_key WHERE scope = ?", (scope,)
        ).fetchone()
        version = (latest or 0) + 1
        kek_id, wrapped = make(scope, version)
        now = self._now()
        db.execute(
            "INSERT INTO data_key (scope, version, state, kek_id, wrapped, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (scope, version, CURRENT, kek_id, wrapped, now),
        )
        return KeyRecord(scope, version, CURRENT, kek_id, wrapped, now, None)

    def rewrap(
        self, scope: str, version: int, expected: bytes, kek_id: str, wrapped: bytes
    ) -> bool:
        """Replace one wrapped key, only if nobody changed it meanwhile."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE data_key SET kek_id = ?, wrapped = ? "
                "WHERE scope = ? AND version = ? AND wrapped = ?",
                (kek_id, wrapped, scope, version, expected),
            )
            return cursor.rowcount == 1

    def retire(self, scope: str, version: int) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE data_key SET state = ?, kek_id = NULL, wrapped = NULL, retired_at = ? "
                "WHERE scope = ? AND version = ? AND state = ?",
                (RETIRED, self._now(), scope, version, LIVE),
            )

    def shred(self, scope: str) -> int:
        """Destroy every version of the scope's key; returns how many were destroyed."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE data_key SET state = ?, kek_id = NULL, wrapped = NULL, retired_at = ? "
                "WHERE scope = ? AND wrapped IS NOT NULL",
                (DESTROYED, self._now(), scope),
            )
            destroyed = cursor.rowcount
            db.execute(
                "INSERT OR IGNORE INTO shredded (scope, shredded_at) VALUES (?, ?)",
                (scope, self._now()),
            )
        with self._connect() as db:
            db.execute("VACUUM")
        return destroyed

    # Rotation progress, so `vault status` can show it from any process.
    def start_rotation(self, scope: str, to_version: int) -> None:
        now = self._now()
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO rotation (scope, to_version, started_at, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (scope, to_version, now, now),
            )

    def note_progress(
        self, scope: str, reencrypted: int, remaining: int | None, errors: int, finished: bool
    ) -> None:
        now = self._now()
        with self._transaction() as db:
            db.execute(
                "UPDATE rotation SET rows_reencrypted = rows_reencrypted + ?, rows_remaining = ?, "
                "errors = ?, updated_at = ?, finished_at = ? WHERE scope = ?",
                (reencrypted, remaining, errors, now, now if finished else None, scope),
            )

    def rotation(self, scope: str) -> Rotation | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT scope, to_version, started_at, updated_at, finished_at, rows_reencrypted, "
                "rows_remaining, errors FROM rotation WHERE scope = ?",
                (scope,),
            ).fetchone()
        return Rotation(*row) if row else None

    def rotations(self) -> list[Rotation]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT scope, to_version, started_at, updated_at, finished_at, rows_reencrypted, "
                "rows_remaining, errors FROM rotation ORDER BY scope"
            ).fetchall()
        return [Rotation(*row) for row in rows]

    # Backups: a consistent copy, kept for a short stated retention only.
    @property
    def backup_dir(self) -> Path:
        return self.keys_dir / BACKUP_DIRNAME

    def backup(self, retention: timedelta) -> Path:
        """Copy the keyring (wrapped keys only; the KEK is not in it) and prune old copies."""
        ensure_private_dir(self.backup_dir)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S%fZ")
        target = self.backup_dir / f"keyring-{stamp}.sqlite3"
        write_private_file(target, b"")
        with self._connect() as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
        self.prune_backups(retention)
        return target

    def backups(self) -> list[Path]:
        if not self.backup_dir.exists():
            return []
        return sorted(self.backup_dir.glob("keyring-*.sqlite3"))

    def prune_backups(self, retention: timedelta) -> list[Path]:
        """Delete keyring backups older than the retention, so a shredded key is gone
        everywhere once the retention has passed."""
        cutoff = (clock.now() - retention).strftime("%Y%m%dT%H%M%S%fZ")
        removed = []
        for path in self.backups():
            if path.stem.removeprefix("keyring-") < cutoff:
                _overwrite_and_unlink(path)
                removed.append(path)
        return removed


def _overwrite_and_unlink(path: Path) -> None:
    """Best effort on journaling and copy-on-write file systems; see docs/security.md."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.write(b"\0" * size)
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
