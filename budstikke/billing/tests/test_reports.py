"""Reports: deliveries per day, on-time rate against the time window, failure reasons,
and CSV exports Danish Excel opens (`;`, decimal comma, BOM)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from budstikke.billing import reports
from budstikke.core.clock import now
from budstikke.dispatch import actions
from budstikke.dispatch.testing import assigned_shipment, courier_of, png
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)  # 12:00 in Copenhagen


def _deliver(personas: Personas, courier: Any, window: tuple[int, int] | None) -> None:
    fields: dict[str, Any] = {}
    if window is not None:
        fields = {
            "window_start": now() + timedelta(hours=window[0]),
            "window_end": now() + timedelta(hours=window[1]),
        }
    shipment = assigned_shipment(personas.tenant_a, courier, personas.bob, **fields)
    for action in ("picked_up", "out_for_delivery"):
        actions.report_stop(shipment, courier, submission_id=uuid.uuid4(), action=action)
    actions.report_stop(
        shipment,
        courier,
        submission_id=uuid.uuid4(),
        action="delivered",
        recipient_name="M",
        signature=png(),
    )


def _fail(personas: Personas, courier: Any, reason: str) -> None:
    shipment = assigned_shipment(personas.tenant_a, courier, personas.bob)
    for action in ("picked_up", "out_for_delivery"):
        actions.report_stop(shipment, courier, submission_id=uuid.uuid4(), action=action)
    actions.report_stop(
        shipment, courier, submission_id=uuid.uuid4(), action="failed_attempt", reason=reason
    )


@pytest.fixture
def day_of_work(personas: Personas, clock: Any) -> None:
    courier = courier_of(personas.tenant_a, personas.carl)
    clock.freeze(NOON)
    _deliver(personas, courier, (-1, 1))  # inside
    _deliver(personas, courier, (-3, -1))  # late
    _deliver(personas, courier, None)  # no window
    _fail(personas, courier, "not_home")
    _fail(personas, courier, "not_home")
    _fail(personas, courier, "refused")
    clock.freeze(NOON + timedelta(days=1))
    _deliver(personas, courier, (-1, 2))


def test_deliveries_per_day_and_on_time_rate(personas: Personas, day_of_work: None) -> None:
    built = reports.build(personas.tenant_a, NOON.date(), NOON.date() + timedelta(days=1))
    first, second = built.days
    assert (first.delivered, first.with_window, first.on_time) == (3, 2, 1)
    assert str(first.on_time_rate) == "50.0"
    assert (second.delivered, second.on_time) == (1, 1)
    assert built.total.delivered == 4
    assert [(reason, count) for reason, _label, count in built.failures] == [
        ("not_home", 2),
        ("refused", 1),
    ]


def test_csv_export_for_danish_excel(
    bob_client: Client, personas: Personas, day_of_work: None
) -> None:
    query = {"start": "2026-03-10", "end": "2026-03-11"}
    answer = bob_client.get("/tenant/billing/reports/export.csv", {**query, "kind": "days"})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].count(";") == 4
    assert lines[1] == "2026-03-10;3;2;1;50,0"
    failures = bob_client.get(
        "/tenant/billing/reports/export.csv", {**query, "kind": "failures"}
    ).content.decode("utf-8")
    assert "Recipient not at home;not_home;2" in failures

    page = bob_client.get("/tenant/billing/reports/", query).content.decode()
    assert "Deliveries per day" in page
    assert "Refused by recipient" in page
