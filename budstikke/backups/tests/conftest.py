"""Each backup test has its own data, media and backup directories."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from budstikke.backups import targets


@pytest.fixture
def backup_dirs(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_TARGET = "local"
    (tmp_path / "data").mkdir()
    return tmp_path


def stored(backup_dirs: Path) -> list[targets.Manifest]:
    return targets.LocalTarget(backup_dirs / "backups").manifests()
