from __future__ import annotations

import dataclasses
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from budstikke.backups import actions, archive, targets
from budstikke.backups.tests.conftest import stored
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db(transaction=True)


def _archive(backup_dirs: Path, backup_id: str) -> Path:
    return backup_dirs / "backups" / f"{backup_id}{targets.ARCHIVE_SUFFIX}"


def test_an_untouched_backup_verifies(personas: Personas, backup_dirs: Path) -> None:
    run = actions.create_backup()
    out = StringIO()
    call_command("backup", "verify", run.backup_id, stdout=out)
    assert "verified" in out.getvalue()


def test_one_flipped_byte_fails_verify(personas: Personas, backup_dirs: Path) -> None:
    run = actions.create_backup()
    path = _archive(backup_dirs, run.backup_id)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))

    with pytest.raises(CommandError, match="FAILED verification"):
        call_command("backup", "verify", run.backup_id)


def test_a_flipped_byte_fails_even_with_a_forged_manifest(
    personas: Personas, backup_dirs: Path
) -> None:
    """The manifest's SHA-256 is not the only guard: every chunk is authenticated."""
    run = actions.create_backup()
    path = _archive(backup_dirs, run.backup_id)
    data = bytearray(path.read_bytes())
    data[-40] ^= 0x80
    path.write_bytes(bytes(data))
    (manifest,) = stored(backup_dirs)
    forged = dataclasses.replace(manifest, sha256=archive.sha256_of(path).sha256)
    manifest_path = backup_dirs / "backups" / f"{run.backup_id}{targets.MANIFEST_SUFFIX}"
    manifest_path.write_bytes(forged.to_json())

    findings = actions.verify(run.backup_id)
    assert not findings.ok
    assert "fails authentication" in findings.summary()


def test_a_cut_off_archive_fails_verify(personas: Personas, backup_dirs: Path) -> None:
    run = actions.create_backup()
    path = _archive(backup_dirs, run.backup_id)
    path.write_bytes(path.read_bytes()[:-100])
    (manifest,) = stored(backup_dirs)
    manifest_path = backup_dirs / "backups" / f"{run.backup_id}{targets.MANIFEST_SUFFIX}"
    manifest_path.write_bytes(
        dataclasses.replace(
            manifest, sha256=archive.sha256_of(path).sha256, size=path.stat().st_size
        ).to_json()
    )

    findings = actions.verify(run.backup_id)
    assert not findings.ok
    assert "cut off" in findings.summary() or "authentication" in findings.summary()
