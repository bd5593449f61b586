"""Backup throughput on a generated ~1 GB SQLite database, as a ratio to the baseline
`sqlite3 DB ".backup COPY"` followed by `zstd` on the same data; and the restore time
(decrypt, decompress, restore into a scratch file, integrity check, row counts).

    uv run python bench/backup.py [--size-mb 1024]

Runs in its own temporary directory (removed afterwards); needs the `sqlite3` and `zstd`
command-line tools (apt-get install sqlite3 zstd).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

ROW_BYTES = 4096


def generate(path: Path, size_mb: int) -> int:
    """Rows like real data: half random bytes, half repetitive text (compresses ~2:1)."""
    rows = size_mb * (1 << 20) // ROW_BYTES
    text = b"Levering til Hovedgaden 12, 8000 Aarhus C; ring paa ved ankomst. " * 40
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE parcel (id INTEGER PRIMARY KEY, tenant_id INTEGER, body BLOB)")
        batch = 2048
        for start in range(0, rows, batch):
            db.executemany(
                "INSERT INTO parcel (id, tenant_id, body) VALUES (?, ?, ?)",
                (
                    (i, i % 50, os.urandom(ROW_BYTES // 2) + text[: ROW_BYTES // 2])
                    for i in range(start, min(start + batch, rows))
                ),
            )
            db.commit()
    return rows


def timed(label: str, func: object) -> float:
    started = time.perf_counter()
    func()  # type: ignore[operator]
    seconds = time.perf_counter() - started
    print(f"  {label}: {seconds:.2f} s")
    return seconds


def main() -> None:  # noqa: PLR0915 - one linear script
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=1024)
    size_mb = parser.parse_args().size_mb
    for tool in ("sqlite3", "zstd"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: apt-get install {tool}")

    workdir = Path(tempfile.mkdtemp(prefix="budstikke-bench-backup-"))
    try:
        os.environ["BUDSTIKKE_DATA_DIR"] = str(workdir / "data")
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'data' / 'db.sqlite3'}"
        os.environ["DJANGO_SETTINGS_MODULE"] = "budstikke.settings"
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        import django

        django.setup()
        from bench.report import result
        from budstikke.backups import archive, drill, engines

        source = workdir / "bench.sqlite3"
        print(f"generating a {size_mb} MB SQLite database …")
        started = time.perf_counter()
        rows = generate(source, size_mb)
        size = source.stat().st_size
        print(f"  {rows} rows, {size / 1e6:.0f} MB in {time.perf_counter() - started:.1f} s")

        print("baseline: sqlite3 .backup, then zstd (default level, all cores)")
        copy, compressed = workdir / "baseline.sqlite3", workdir / "baseline.sqlite3.zst"

        def baseline() -> None:
            subprocess.run(["sqlite3", str(source), f".backup {copy}"], check=True)
            subprocess.run(["zstd", "-q", "-T0", str(copy), "-o", str(compressed)], check=True)

        base = timed("backup + zstd", baseline)
        copy.unlink()
        compressed.unlink()

        print("Budstikke: online backup API, tar, zstd, AES-256-GCM chunks")
        snapshot, sealed = workdir / "snapshot.sqlite3", workdir / "bench.bsb"

        def ours() -> None:
            with closing(sqlite3.connect(source)) as db:
                taken = engines.sqlite_snapshot(db, snapshot)
            header = {
                "format": 1,
                "backup_id": "bench",
                "engine": "sqlite",
                "tables": taken.tables,
                "migrations": taken.migrations,
                "media": {"files": 0, "bytes": 0},
            }
            archive.write(sealed, header, [(archive.DATABASE_MEMBERS["sqlite"], snapshot)])
            snapshot.unlink()

        mine = timed("snapshot + seal", ours)
        print(f"  archive {sealed.stat().st_size / 1e6:.0f} MB")

        print("restore: decrypt, decompress, scratch file, integrity check, row counts")
        scratch = workdir / "drill"
        scratch.mkdir()
        holder: list[drill.Findings] = []
        restore = timed(
            "restore drill", lambda: holder.append(drill.check(sealed, scratch, expect=None))
        )
        if not holder[0].ok:
            sys.exit(f"restore drill failed: {holder[0].summary()}")

        print()
        print(f"backup throughput: {size / mine / 1e6:.0f} MB/s (baseline {size / base / 1e6:.0f})")
        print(f"backup time ratio to sqlite3 .backup | zstd: {mine / base:.2f}x")
        print(f"restore (drill) time: {restore:.1f} s for {size / 1e6:.0f} MB")
        result(
            "backup",
            f"backup time, {size / 1e6:.0f} MB SQLite, vs sqlite3 .backup | zstd",
            mine,
            unit="s",
            baseline=base,
        )
        result("backup", f"restore drill time, {size / 1e6:.0f} MB SQLite", restore, unit="s")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
