"""Reads of dispatch: the day's board, the couriers and their load, suggestions, routes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from budstikke.core import clock
from budstikke.dispatch.models import Assignment, StopUpdate
from budstikke.shipments import machine
from budstikke.shipments.machine import Status
from budstikke.shipments.models import Shipment
from budstikke.tenants.models import Membership, Role, Tenant

# A courier with this many open stops gets no more suggestions.
MAX_SUGGESTED_LOAD = 40
OPEN: frozenset[str] = frozenset(Status.values) - machine.FINAL


def zone_of(tenant: Tenant) -> ZoneInfo:
    return ZoneInfo(tenant.timezone or "Europe/Copenhagen")


def today(tenant: Tenant) -> date:
    return clock.now().astimezone(zone_of(tenant)).date()


def day_bounds(tenant: Tenant, day: date) -> tuple[datetime, datetime]:
    """Start and end of `day` in the tenant's zone, as aware datetimes."""
    zone = zone_of(tenant)
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def couriers(tenant: Tenant) -> list[Membership]:
    return list(
        Membership.objects.for_tenant(tenant)
        .filter(role=Role.COURIER)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def board(
    tenant: Tenant,
    day: date,
    *,
    status: str = "",
    zone: str = "",
    courier: Membership | None = None,
    unassigned: bool = False,
) -> QuerySet[Shipment]:
    """The day's shipments: open ones due by the end of the day (no window, or a window that
    starts before it) and those finished during it."""
    start, end = day_bounds(tenant, day)
    query = Shipment.objects.for_tenant(tenant).filter(
        (
            Q(status__in=OPEN, created_at__lt=end)
            & (Q(window_start__isnull=True) | Q(window_start__lt=end))
        )
        | Q(status__in=machine.FINAL, status_changed_at__gte=start, status_changed_at__lt=end)
    )
    if status in Status.values:
        query = query.filter(status=status)
    if zone:
        query = query.filter(zone=zone)
    if courier is not None:
        query = query.filter(assignment__courier=courier)
    if unassigned:
        query = query.filter(assignment__isnull=True)
    return query.select_related("assignment__courier__user").order_by(
        "zone", "window_end", "created_at", "pk"
    )


def zones(tenant: Tenant) -> list[str]:
    return sorted(
        set(
            Shipment.objects.for_tenant(tenant)
            .filter(status__in=OPEN)
            .exclude(zone="")
            .values_list("zone", flat=True)
        )
    )


@dataclass
class Load:
    courier: Membership
    stops: int
    zones: Counter[str]


def loads(tenant: Tenant) -> dict[int, Load]:
    """Open stops per courier and how many of them lie in each zone."""
    found = {m.pk: Load(m, 0, Counter()) for m in couriers(tenant)}
    rows = (
        Assignment.objects.for_tenant(tenant)
        .filter(shipment__status__in=OPEN)
        .values_list("courier_id", "shipment__zone")
    )
    for courier_id, zone in rows:
        if courier_id in found:
            found[courier_id].stops += 1
            found[courier_id].zones[zone] += 1
    return found


def suggest(tenant: Tenant, shipments: list[Shipment]) -> dict[int, Membership]:
    """A courier per shipment: one already driving in its postcode zone (most stops there
    first), else the least loaded; each suggestion counts towards the next one's load."""
    current = loads(tenant)
    chosen: dict[int, Membership] = {}
    for shipment in shipments:
        free = [load for load in current.values() if load.stops < MAX_SUGGESTED_LOAD]
        if not free:
            break
        in_zone = [load for load in free if shipment.zone and load.zones[shipment.zone] > 0]
        pool = in_zone or free
        best = min(
            pool,
            key=lambda load: (-load.zones[shipment.zone], load.stops, load.courier.user.full_name),
        )
        chosen[shipment.pk] = best.courier
        best.stops += 1
        best.zones[shipment.zone] += 1
    return chosen


def route(courier: Membership) -> list[Assignment]:
    """The courier's open stops in driving order."""
    return list(
        Assignment.objects.for_tenant(courier.tenant)
        .filter(courier=courier, shipment__status__in=OPEN)
        .select_related("shipment")
        .order_by("position", "pk")
    )


def finished_today(courier: Membership) -> list[Assignment]:
    start, end = day_bounds(courier.tenant, today(courier.tenant))
    return list(
        Assignment.objects.for_tenant(courier.tenant)
        .filter(
            courier=courier,
            shipment__status__in=machine.FINAL,
            shipment__status_changed_at__gte=start,
            shipment__status_changed_at__lt=end,
        )
        .select_related("shipment")
        .order_by("-shipment__status_changed_at")
    )


def proof_of(shipment: Shipment) -> StopUpdate | None:
    found: StopUpdate | None = (
        StopUpdate.objects.for_tenant(shipment.tenant)
        .filter(shipment=shipment, action=StopUpdate.Action.DELIVERED)
        .select_related("courier")
        .first()
    )
    return found
