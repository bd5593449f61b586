"""`manage.py privacy purge [--dry-run]` prints counts per rule and tenant; `privacy rules`
prints the registry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from budstikke.core.clock import ClockControl
from budstikke.privacy.models import PurgeRun
from budstikke.shipments.actions import cancel
from budstikke.shipments.models import Shipment
from budstikke.shipments.testing import make_shipment
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


def _purge(*args: str) -> str:
    out = StringIO()
    call_command("privacy", "purge", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_what_would_go_and_the_real_run_what_went(
    personas: Personas, clock: type[ClockControl]
) -> None:
    clock.freeze(datetime(2026, 3, 10, 10, 0, tzinfo=UTC))
    cancel(make_shipment(personas.tenant_a), actor="test")
    cancel(make_shipment(personas.tenant_b), actor="test")
    clock.advance(timedelta(days=8 * 366))

    printed = _purge("--dry-run")
    assert "dry run: nothing was changed" in printed
    lines = printed.splitlines()
    assert any(
        line.split() == ["shipments.shipment", "delete", "alfa-kurer", "1"] for line in lines
    )
    assert any(line.split() == ["shipments.shipment", "delete", "beta-bud", "1"] for line in lines)
    assert Shipment.objects.count() == 2
    assert PurgeRun.objects.get().dry_run

    printed = _purge()
    assert "rows changed." in printed
    assert "dry run" not in printed
    assert Shipment.objects.count() == 0


def test_rules_prints_the_registry() -> None:
    out = StringIO()
    call_command("privacy", "rules", stdout=out)
    printed = out.getvalue()
    assert "shipments.shipment" in printed
    assert "8 years" in printed
    assert "contenttypes.ContentType: names of the installed models" in printed
