"""Reports: deliveries per day, the on-time rate (delivered inside the time window) and
failure reasons, for a span of days in the tenant's zone; and their CSV form for Danish
Excel (`;` separated, decimal comma, UTF-8 with a BOM)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils.translation import gettext as _

from budstikke.shipments.machine import Status
from budstikke.shipments.models import FailureReason, Shipment, TrackingEvent
from budstikke.tenants.models import Tenant

MAX_DAYS = 366


@dataclass
class Day:
    day: date
    delivered: int = 0
    with_window: int = 0
    on_time: int = 0

    @property
    def on_time_rate(self) -> Decimal | None:
        """Percent of deliveries with a window that landed inside it (None: no windows)."""
        if not self.with_window:
            return None
        rate = Decimal(self.on_time * 100) / Decimal(self.with_window)
        return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Report:
    start: date
    end: date  # inclusive
    days: list[Day]
    failures: list[tuple[str, str, int]]  # (reason, label, count)

    @property
    def total(self) -> Day:
        total = Day(self.end)
        for day in self.days:
            total.delivered += day.delivered
            total.with_window += day.with_window
            total.on_time += day.on_time
        return total


def _bounds(tenant: Tenant, start: date, end: date) -> tuple[datetime, datetime, ZoneInfo]:
    zone = ZoneInfo(tenant.timezone or "Europe/Copenhagen")
    low = datetime.combine(start, time.min, tzinfo=zone)
    high = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return low, high, zone


def on_time(delivered: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or delivered >= start) and (end is None or delivered <= end)


def build(tenant: Tenant, start: date, end: date) -> Report:
    if end < start:
        start, end = end, start
    end = min(end, start + timedelta(days=MAX_DAYS - 1))
    low, high, zone = _bounds(tenant, start, end)
    days = {
        start + timedelta(days=n): Day(start + timedelta(days=n))
        for n in range((end - start).days + 1)
    }
    rows = (
        Shipment.objects.for_tenant(tenant)
        .filter(status=Status.DELIVERED, delivered_at__gte=low, delivered_at__lt=high)
        .values_list("delivered_at", "window_start", "window_end")
    )
    for delivered, window_start, window_end in rows.iterator(chunk_size=2000):
        day = days[delivered.astimezone(zone).date()]
        day.delivered += 1
        if window_start is not None or window_end is not None:
            day.with_window += 1
            day.on_time += on_time(delivered, window_start, window_end)
    counts: Counter[str] = Counter(
        {
            row["reason"]: row["n"]
            for row in TrackingEvent.objects.for_tenant(tenant)
            .filter(status=Status.FAILED_ATTEMPT, at__gte=low, at__lt=high)
            .values("reason")
            .annotate(n=Count("pk"))
        }
    )
    labels = dict(FailureReason.choices)
    failures = [
        (reason, str(labels.get(reason, reason or _("Not given"))), n)
        for reason, n in counts.most_common()
    ]
    return Report(start, end, list(days.values()), failures)


def _decimal(value: Decimal | None) -> str:
    return "" if value is None else str(value).replace(".", ",")


def days_csv(report: Report) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [_("Date"), _("Delivered"), _("With time window"), _("On time"), _("On time (%)")]
    )
    for day in report.days:
        writer.writerow(
            [
                day.day.isoformat(),
                day.delivered,
                day.with_window,
                day.on_time,
                _decimal(day.on_time_rate),
            ]
        )
    return out.getvalue()


def failures_csv(report: Report) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Reason"), _("Code"), _("Failed attempts")])
    for reason, label, count in report.failures:
        writer.writerow([label, reason, count])
    return out.getvalue()
