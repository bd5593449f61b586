from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.management import call_command
from moto import mock_aws

from budstikke.backups import actions, targets
from budstikke.backups.models import BackupRun
from budstikke.tenants.models import Membership
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bucket(settings: Any, backup_dirs: Path, monkeypatch: Any) -> Iterator[str]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings.BACKUP_TARGET = "s3"
    settings.BACKUP_S3_BUCKET = "budstikke-backups"
    settings.BACKUP_S3_PREFIX = "prod/"
    settings.BACKUP_S3_REGION = "eu-north-1"
    with mock_aws():
        boto3.client("s3", region_name="eu-north-1").create_bucket(
            Bucket="budstikke-backups",
            CreateBucketConfiguration={"LocationConstraint": "eu-north-1"},
        )
        yield "budstikke-backups"


def test_backups_go_to_s3_and_come_back(personas: Personas, bucket: str, backup_dirs: Path) -> None:
    run = actions.create_backup()
    assert run.status == BackupRun.Status.GOOD, run.error
    keys = {
        o["Key"]
        for o in boto3.client("s3", region_name="eu-north-1").list_objects_v2(Bucket=bucket)[
            "Contents"
        ]
    }
    assert keys == {
        f"prod/{run.backup_id}{targets.ARCHIVE_SUFFIX}",
        f"prod/{run.backup_id}{targets.MANIFEST_SUFFIX}",
    }
    assert not list((backup_dirs / "backups").glob("*.bsb"))

    out = StringIO()
    call_command("backup", "verify", run.backup_id, stdout=out)
    assert "verified" in out.getvalue()
    Membership.objects.filter(tenant=personas.tenant_b).delete()
    call_command(
        "backup", "restore-tenant", run.backup_id, "--tenant", "beta-bud", stdout=StringIO()
    )
    assert Membership.objects.filter(tenant=personas.tenant_b, user=personas.charlie).exists()
