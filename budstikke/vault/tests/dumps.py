"""Raw bytes of the test database as an attacker with a copy would see them."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

from django.db import connection


def database_bytes(database_file: Path | None) -> bytes:
    """SQLite: the file and its write-ahead log. PostgreSQL: a `pg_dump` of the database."""
    if database_file is not None:
        connection.close()  # let the WAL settle; read whatever is on disk
        return b"".join(
            p.read_bytes() for p in sorted(database_file.parent.glob(database_file.name + "*"))
        )
    params = connection.settings_dict
    command = ["pg_dump", "--no-owner", "--dbname", params["NAME"]]
    command += ["--host", params["HOST"] or "127.0.0.1", "--port", str(params["PORT"] or 5432)]
    command += ["--username", params["USER"] or "postgres"]
    return subprocess.run(command, check=True, capture_output=True, timeout=60).stdout


def encodings(canary: str) -> list[bytes]:
    """The canary as plain UTF-8, UTF-16 (both orders), hex and base64 at every alignment."""
    raw = canary.encode("utf-8")
    found = [
        raw,
        canary.encode("utf-16-le"),
        canary.encode("utf-16-be"),
        raw.hex().encode(),
        raw.hex().upper().encode(),
    ]
    for shift in range(3):
        # A base64 run of a longer string contains these characters whatever precedes it.
        encoded = base64.b64encode(raw[shift:])
        found.append(encoded[: len(encoded) - 4])
        found.append(base64.urlsafe_b64encode(raw[shift:])[: len(encoded) - 4])
    return [f for f in found if len(f) >= 8]


def leaks(dump: bytes, canary: str) -> list[bytes]:
    return [form for form in encodings(canary) if form in dump]
