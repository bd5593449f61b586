from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from budstikke.backups import actions, drill
from budstikke.backups.models import BackupCheck, BackupRun
from budstikke.backups.tests.conftest import stored
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_stores_a_backup_whose_drill_restored_every_table(
    personas: Personas, backup_dirs: Path
) -> None:
    run = actions.create_backup()

    assert run.status == BackupRun.Status.GOOD
    (manifest,) = stored(backup_dirs)
    assert manifest.id == run.backup_id
    assert manifest.tables["tenants_tenant"] == 2
    assert manifest.tables["tenants_membership"] == 4
    assert manifest.sha256 == run.sha256
    assert manifest.size == run.size
    assert any(m.startswith("backups.0001") for m in manifest.migrations)
    drill_check = BackupCheck.objects.get(backup_id=run.backup_id, kind="drill")
    assert drill_check.ok
    assert "integrity ok" in drill_check.detail
    assert not list((backup_dirs / "backups" / ".work").glob("*.partial"))


def test_a_failed_drill_marks_nothing_good_and_alerts_the_operators(
    personas: Personas, backup_dirs: Path, monkeypatch: Any, caplog: Any
) -> None:
    def broken(path: Path, workdir: Path, **kwargs: Any) -> drill.Findings:
        return drill.Findings(problems=["table tenants_tenant: 1 rows restored, 2 in the manifest"])

    monkeypatch.setattr(drill, "check", broken)
    with caplog.at_level(logging.ERROR):
        run = actions.create_backup()

    assert run.status == BackupRun.Status.FAILED
    assert "restore drill failed" in run.error
    assert stored(backup_dirs) == []
    assert any("FAILED" in r.message and r.levelno == logging.ERROR for r in caplog.records)
    alert = [m for m in mail.outbox if "olga@budstikke.test" in m.to]
    assert alert
    assert run.backup_id in alert[0].subject


def test_create_command_exits_nonzero_when_the_backup_fails(
    personas: Personas, backup_dirs: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(
        drill, "check", lambda *a, **k: drill.Findings(problems=["integrity: page 3 corrupt"])
    )
    with pytest.raises(Exception, match="FAILED"):
        call_command("backup", "create")
