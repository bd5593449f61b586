from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from budstikke.backups import actions, drill
from budstikke.core import clock
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db(transaction=True)


def test_healthz_says_never_before_the_first_backup(client: Any, backup_dirs: Path) -> None:
    backup = client.get("/healthz").json()["backup"]
    assert backup["status"] == "never"
    assert backup["last_good_age_seconds"] is None


def test_healthz_and_metrics_show_the_age_of_the_last_good_backup(
    client: Any, personas: Personas, backup_dirs: Path
) -> None:
    clock.freeze(clock.now())
    actions.create_backup()
    clock.advance(timedelta(hours=3))

    backup = client.get("/healthz").json()["backup"]
    assert backup["status"] == "ok"
    assert backup["last_good_age_seconds"] == pytest.approx(3 * 3600, abs=5)
    metrics = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert "budstikke_backup_last_good_age_seconds 10800" in metrics
    assert "budstikke_backup_failing 0.0" in metrics

    clock.advance(timedelta(hours=11))
    assert client.get("/healthz").json()["backup"]["status"] == "stale"


def test_healthz_shows_a_failed_backup(
    client: Any, personas: Personas, backup_dirs: Path, monkeypatch: Any
) -> None:
    actions.create_backup()
    monkeypatch.setattr(drill, "check", lambda *a, **k: drill.Findings(problems=["broken"]))
    actions.create_backup()

    backup = client.get("/healthz").json()["backup"]
    assert backup["status"] == "failing"
    assert backup["last_good_age_seconds"] is not None
    metrics = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert "budstikke_backup_failing 1.0" in metrics
