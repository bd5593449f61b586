from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from budstikke.backups import actions
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_operator_sees_runs_drills_and_restore_instructions(
    olga_client: Any, personas: Personas, backup_dirs: Path
) -> None:
    run = actions.create_backup()
    page = olga_client.get("/ops/backups/").content.decode()
    assert run.backup_id in page
    assert "Backups are working." in page
    assert "Restore drill" in page
    assert "manage.py backup restore-tenant ID --tenant SLUG" in page


def test_a_tenant_admin_gets_404(alice_client: Any, backup_dirs: Path) -> None:
    assert alice_client.get("/ops/backups/").status_code == 404
