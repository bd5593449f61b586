"""The security log file (read by fail2ban) is rotated every night, and rotated files go
before any line in them is 7 days old."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from budstikke.core.clock import ClockControl
from budstikke.privacy import purge

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)


def _line(at: datetime, ip: str) -> str:
    return f"{at:%Y-%m-%dT%H:%M:%SZ} budstikke-shield event=login_failed ip={ip} country=DE\n"


def test_the_log_is_rotated_and_old_rotations_are_deleted(
    tmp_path: Path, settings: Any, clock: type[ClockControl]
) -> None:
    log = tmp_path / "security.log"
    settings.SHIELD_SECURITY_LOG = log
    log.write_text(_line(NOW - timedelta(hours=20), "192.0.2.1"))
    old = tmp_path / "security.log.20261118T033000Z"
    old.write_text(_line(NOW - timedelta(days=6, hours=23), "192.0.2.2"))
    recent = tmp_path / "security.log.20261119T033000Z"
    recent.write_text(_line(NOW - timedelta(days=5, hours=23), "192.0.2.3"))
    clock.freeze(NOW)

    dry = purge.run(dry_run=True)
    assert dry.counts.get(rule="files.securitylog").count == 1
    assert old.exists()
    assert log.exists()

    run = purge.run()
    assert run.counts.get(rule="files.securitylog").count == 1
    assert not old.exists()
    assert recent.exists()
    assert not log.exists()  # a fresh one is opened by the next event
    rotated = tmp_path / "security.log.20261124T033000Z"
    assert rotated.read_text() == _line(NOW - timedelta(hours=20), "192.0.2.1")

    clock.advance(timedelta(days=1))
    purge.run()
    assert not recent.exists()
    assert rotated.exists()
    assert "192.0.2.2" not in "".join(p.read_text() for p in tmp_path.iterdir())


def test_no_log_configured_is_fine(settings: Any) -> None:
    settings.SHIELD_SECURITY_LOG = None
    assert purge.run().error == ""
