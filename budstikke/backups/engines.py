"""The two database engines: a consistent snapshot while serving, and a scratch copy to
check or read from.

SQLite: the online backup API (`Connection.backup`) copies the live database in one read
transaction, so writers carry on (WAL) and the copy is one moment. PostgreSQL: a
REPEATABLE READ transaction exports its snapshot; the row counts are taken inside it and
`pg_dump -Fc --snapshot` dumps exactly that moment. Scratch copies are a temporary file
(SQLite) or a temporary database created and dropped (PostgreSQL).
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

_TOOL_TIMEOUT = 6 * 3600


class EngineError(Exception):
    """The database engine could not snapshot, restore or check a copy."""


@dataclass(frozen=True)
class Snapshot:
    tables: dict[str, int]
    migrations: list[str]


class Scratch(ABC):
    """A restored copy of a backup's database, open for checks and reads."""

    @abstractmethod
    def integrity_problems(self) -> list[str]: ...

    @abstractmethod
    def row_counts(self) -> dict[str, int]: ...

    @abstractmethod
    def select(
        self, table: str, columns: Sequence[str], where_column: str, value: Any
    ) -> list[tuple[Any, ...]]:
        """Rows of `table` whose `where_column` equals `value`, values as the live database
        takes them back."""

    @abstractmethod
    def columns(self, table: str) -> list[str]: ...


class Engine(ABC):
    name: str

    @abstractmethod
    def snapshot(self, dest: Path) -> Snapshot: ...

    @abstractmethod
    def scratch(self, dump: Path, workdir: Path) -> Any:
        """A context manager yielding a `Scratch` restored from `dump`."""


# SQLite --------------------------------------------------------------------------------


def sqlite_snapshot(source: sqlite3.Connection, dest: Path) -> Snapshot:
    """Copy `source` into a new file at `dest` in one step (one consistent read)."""
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    with closing(sqlite3.connect(dest)) as target:
        source.backup(target)
    with closing(sqlite3.connect(dest)) as copy:
        return Snapshot(_sqlite_counts(copy), _sqlite_migrations(copy))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [row[0] for row in rows]


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    return {
        table: db.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]  # noqa: S608
        for table in _sqlite_tables(db)
    }


def _sqlite_migrations(db: sqlite3.Connection) -> list[str]:
    if "django_migrations" not in _sqlite_tables(db):
        return []
    rows = db.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()
    return [f"{app}.{name}" for app, name in rows]


def sqlite_integrity(db: sqlite3.Connection) -> list[str]:
    rows = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else [str(row) for row in rows[:20]]


class SqliteScratch(Scratch):
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def integrity_problems(self) -> list[str]:
        return sqlite_integrity(self.db)

    def row_counts(self) -> dict[str, int]:
        return _sqlite_counts(self.db)

    def columns(self, table: str) -> list[str]:
        return [row[1] for row in self.db.execute(f"PRAGMA table_info({_quote(table)})")]

    def select(
        self, table: str, columns: Sequence[str], where_column: str, value: Any
    ) -> list[tuple[Any, ...]]:
        cols = ", ".join(_quote(c) for c in columns)
        sql = f"SELECT {cols} FROM {_quote(table)} WHERE {_quote(where_column)} = ?"  # noqa: S608
        return [tuple(row) for row in self.db.execute(sql, (value,))]


class SqliteEngine(Engine):
    name = "sqlite"

    def snapshot(self, dest: Path) -> Snapshot:
        connection.ensure_connection()
        return sqlite_snapshot(connection.connection, dest)

    @contextmanager
    def scratch(self, dump: Path, workdir: Path) -> Iterator[SqliteScratch]:
        """The extracted file is itself the scratch database (opened read-only)."""
        with closing(
            sqlite3.connect(
                f"{dump.as_uri()}?mode=ro",
                uri=True,
                # Django's converters, so values read here compare with and go back as its own.
                detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES,
            )
        ) as db:
            yield SqliteScratch(db)


# PostgreSQL ----------------------------------------------------------------------------


def _pg_params(database: str | None = None) -> dict[str, Any]:
    conf = connection.settings_dict
    params: dict[str, Any] = {
        "dbname": database or conf["NAME"],
        "user": conf.get("USER") or None,
        "password": conf.get("PASSWORD") or None,
        "host": conf.get("HOST") or None,
        "port": str(conf["PORT"]) if conf.get("PORT") else None,
    }
    return {k: v for k, v in params.items() if v is not None}


def _pg_tool(tool: str, *args: str) -> None:
    params = _pg_params()
    command = [tool]
    for flag, key in (("-h", "host"), ("-p", "port"), ("-U", "user")):
        if key in params:
            command += [flag, params[key]]
    environment = {**os.environ, "PGCONNECT_TIMEOUT": "20"}
    if "password" in params:
        environment["PGPASSWORD"] = params["password"]
    try:
        result = subprocess.run(  # noqa: S603
            [*command, *args],
            capture_output=True,
            timeout=_TOOL_TIMEOUT,
            env=environment,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EngineError(f"{tool} could not run: {type(exc).__name__}") from None
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise EngineError(f"{tool} failed ({result.returncode}): {' | '.join(detail)}")


def _pg_connect(database: str | None = None, *, autocommit: bool = False) -> Any:
    import psycopg

    try:
        return psycopg.connect(**_pg_params(database), autocommit=autocommit, connect_timeout=20)
    except psycopg.Error as exc:
        raise EngineError(f"PostgreSQL refused a connection: {type(exc).__name__}") from None


def _pg_tables(cursor: Any) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT schemaname, tablename FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') "
        "ORDER BY schemaname, tablename"
    )
    return [(schema, table) for schema, table in cursor.fetchall()]


def _pg_name(schema: str, table: str) -> str:
    return table if schema == "public" else f"{schema}.{table}"


def _pg_counts(cursor: Any) -> dict[str, int]:
    from psycopg import sql

    counts = {}
    for schema, table in _pg_tables(cursor):
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table)))
        counts[_pg_name(schema, table)] = cursor.fetchone()[0]
    return counts


class PostgresScratch(Scratch):
    def __init__(self, db: Any) -> None:
        from psycopg.types.string import TextLoader

        self.db = db
        # Values come back as Django's own connection reads them, so they go back unchanged.
        for name in ("json", "jsonb", "inet", "cidr"):
            db.adapters.register_loader(name, TextLoader)

    def integrity_problems(self) -> list[str]:
        """pg_restore --exit-on-error already rebuilt every index and constraint; reading
        every row of every table (the counts) proves the heap is readable."""
        return []

    def row_counts(self) -> dict[str, int]:
        with self.db.cursor() as cursor:
            return _pg_counts(cursor)

    def columns(self, table: str) -> list[str]:
        with self.db.cursor() as cursor:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
                (table,),
            )
            return [row[0] for row in cursor.fetchall()]

    def select(
        self, table: str, columns: Sequence[str], where_column: str, value: Any
    ) -> list[tuple[Any, ...]]:
        from psycopg import sql

        query = sql.SQL("SELECT {} FROM {} WHERE {} = %s").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in columns),
            sql.Identifier(table),
            sql.Identifier(where_column),
        )
        with self.db.cursor() as cursor:
            cursor.execute(query, (value,))
            return [tuple(row) for row in cursor.fetchall()]


class PostgresEngine(Engine):
    name = "postgresql"

    def snapshot(self, dest: Path) -> Snapshot:
        with closing(_pg_connect(autocommit=True)) as db, db.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            tables = _pg_counts(cursor)
            migrations: list[str] = []
            if "django_migrations" in tables:
                cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
                migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
            _pg_tool(
                "pg_dump",
                "-Fc",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
                "-f",
                str(dest),
                _pg_params()["dbname"],
            )
            cursor.execute("ROLLBACK")
        dest.chmod(0o600)
        return Snapshot(tables, migrations)

    @contextmanager
    def restored(self, dump: Path, database: str) -> Iterator[None]:
        """Create `database`, restore `dump` into it; the caller decides when to drop it."""
        from psycopg import sql

        with closing(_pg_connect("postgres", autocommit=True)) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        try:
            _pg_tool(
                "pg_restore",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                "-d",
                database,
                str(dump),
            )
            yield
        except BaseException:
            drop_database(database)
            raise

    @contextmanager
    def scratch(self, dump: Path, workdir: Path) -> Iterator[PostgresScratch]:
        database = f"budstikke_scratch_{secrets.token_hex(6)}"
        with self.restored(dump, database):
            try:
                with closing(_pg_connect(database, autocommit=True)) as db:
                    yield PostgresScratch(db)
            finally:
                drop_database(database)


def drop_database(database: str) -> None:
    from psycopg import sql

    with closing(_pg_connect("postgres", autocommit=True)) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )


def current() -> Engine:
    vendor = connection.vendor
    if vendor == "sqlite":
        return SqliteEngine()
    if vendor == "postgresql":
        return PostgresEngine()
    raise EngineError(f"no backup engine for {vendor}")


def for_name(name: str) -> Engine:
    engines: dict[str, type[Engine]] = {"sqlite": SqliteEngine, "postgresql": PostgresEngine}
    if name not in engines:
        raise EngineError(f"no backup engine named {name!r}")
    return engines[name]()
