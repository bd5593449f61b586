"""The restore drill: open an archive the way a recovery would and prove it restores.

Decrypt and decompress every byte (authenticating every chunk), restore the database into
a scratch copy, run the engine's integrity check, count every table's rows and compare
them, and the stored files, with what the archive's authenticated header promised.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from budstikke.backups import archive, engines
from budstikke.backups.archive import ArchiveError, KeyMaterialError
from budstikke.backups.sealing import SealError
from budstikke.vault.errors import VaultError


@dataclass
class Extracted:
    header: dict[str, Any]
    database: Path
    media: Path
    media_files: int
    media_bytes: int


def extract(path: Path, into: Path) -> Extracted:
    """Everything in the archive, written under `into` (database file and media/)."""
    database: Path | None = None
    files = size = 0
    with archive.opened(path) as (header, members):
        engine = str(header.get("engine"))
        wanted = archive.DATABASE_MEMBERS.get(engine)
        if wanted is None:
            raise ArchiveError(f"archive names an unknown engine {engine!r}")
        for name, handle in members:
            if name == wanted and database is None:
                database = into / name
                archive.copy_to(handle, database)
            elif name.startswith(archive.MEDIA_PREFIX):
                size += archive.copy_to(handle, into / name)
                files += 1
            else:
                raise ArchiveError(f"archive holds an unexpected member {name!r}")
    if database is None:
        raise ArchiveError("archive holds no database")
    return Extracted(header, database, into / "media", files, size)


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    header: dict[str, Any] | None = None
    tables: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return f"restored {self.tables} tables, {self.rows} rows; integrity ok"
        return "; ".join(self.problems)


def compare(extracted: Extracted, scratch: engines.Scratch, findings: Findings) -> None:
    header = extracted.header
    findings.problems += [f"integrity: {p}" for p in scratch.integrity_problems()]
    counts = scratch.row_counts()
    expected: dict[str, int] = header.get("tables") or {}
    for table in sorted(set(counts) | set(expected)):
        if counts.get(table) != expected.get(table):
            findings.problems.append(
                f"table {table}: {counts.get(table, 'missing')} rows restored, "
                f"{expected.get(table, 'none')} in the manifest"
            )
    media = header.get("media") or {}
    if (extracted.media_files, extracted.media_bytes) != (media.get("files"), media.get("bytes")):
        findings.problems.append(
            f"stored files: {extracted.media_files} files / {extracted.media_bytes} bytes "
            f"restored, manifest says {media.get('files')} / {media.get('bytes')}"
        )
    findings.tables = len(counts)
    findings.rows = sum(counts.values())


def check(
    path: Path,
    workdir: Path,
    *,
    size: int | None = None,
    sha256: str | None = None,
    expect: dict[str, Any] | None = None,
) -> Findings:
    """Run the drill on the archive at `path`. `size`/`sha256` and the `expect`ed header
    fields come from the manifest when verifying a stored backup."""
    findings = Findings()
    if size is not None or sha256 is not None:
        written = archive.sha256_of(path)
        if size is not None and written.size != size:
            findings.problems.append(f"size is {written.size} bytes, the manifest says {size}")
        if sha256 is not None and written.sha256 != sha256:
            findings.problems.append("SHA-256 differs from the manifest: the file was altered")
        if findings.problems:
            return findings
    try:
        with tempfile.TemporaryDirectory(prefix="drill-", dir=workdir) as scratch_dir:
            extracted = extract(path, Path(scratch_dir))
            findings.header = extracted.header
            for name, value in (expect or {}).items():
                if extracted.header.get(name) != value:
                    findings.problems.append(f"header field {name} differs from the manifest")
            engine = engines.for_name(str(extracted.header["engine"]))
            with engine.scratch(extracted.database, Path(scratch_dir)) as scratch:
                compare(extracted, scratch, findings)
    except (
        SealError,
        ArchiveError,
        KeyMaterialError,
        engines.EngineError,
        VaultError,
        sqlite3.Error,
    ) as exc:
        findings.problems.append(f"{type(exc).__name__}: {exc}")
    except OSError as exc:
        findings.problems.append(f"file error: {exc.strerror or exc}")
    return findings
