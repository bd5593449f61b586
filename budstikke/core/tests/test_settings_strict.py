"""The settings module refuses a broken environment at start-up instead of guessing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def _import_settings(extra_env: dict[str, str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    environ |= {"BUDSTIKKE_DATA_DIR": str(data_dir), **extra_env}
    return subprocess.run(
        [sys.executable, "-c", "import budstikke.settings"],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


def test_debug_must_be_a_real_boolean(tmp_path: Path) -> None:
    result = _import_settings({"DEBUG": "maybe"}, tmp_path)
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_production_requires_a_secret_key_and_hosts(tmp_path: Path) -> None:
    result = _import_settings({"BUDSTIKKE_MODE": "production"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_embedded_secret_key_is_generated_once_and_private(tmp_path: Path) -> None:
    assert _import_settings({}, tmp_path).returncode == 0
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    assert len(first) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert _import_settings({}, tmp_path).returncode == 0
    assert key_file.read_text() == first


def test_unknown_database_engines_are_refused(tmp_path: Path) -> None:
    result = _import_settings({"DATABASE_URL": "mysql://root@localhost/x"}, tmp_path)
    assert result.returncode != 0
    assert "DATABASE_URL must name SQLite" in result.stderr
