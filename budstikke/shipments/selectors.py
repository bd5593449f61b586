"""Reads of shipments that views, the API and other apps share."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils import formats, translation

from budstikke.shipments.models import Shipment, TrackingEvent
from budstikke.tenants.models import Tenant


def for_tenant(tenant: Tenant) -> object:
    return Shipment.objects.for_tenant(tenant)


def timeline(shipment: Shipment) -> list[TrackingEvent]:
    return list(
        TrackingEvent.objects.for_tenant(shipment.tenant)
        .filter(shipment=shipment)
        .select_related("actor")
        .order_by("at", "pk")
    )


def time_window_text(shipment: Shipment, language: str | None = None) -> str:
    """ "14.03.2026 10:00-12:00" in the tenant's zone, or "" without a window."""
    start, end = shipment.window_start, shipment.window_end
    if start is None and end is None:
        return ""
    zone = ZoneInfo(shipment.tenant.timezone or "Europe/Copenhagen")
    with translation.override(language or translation.get_language()):
        if start is not None and end is not None:
            local_start, local_end = start.astimezone(zone), end.astimezone(zone)
            day = formats.date_format(local_start.date(), "SHORT_DATE_FORMAT")
            if local_start.date() == local_end.date():
                return f"{day} {local_start:%H:%M}-{local_end:%H:%M}"
            other = formats.date_format(local_end.date(), "SHORT_DATE_FORMAT")
            return f"{day} {local_start:%H:%M} - {other} {local_end:%H:%M}"
        only = (start or end).astimezone(zone)  # type: ignore[union-attr]
        day = formats.date_format(only.date(), "SHORT_DATE_FORMAT")
        prefix = "≥" if start is not None else "≤"
        return f"{day} {prefix} {only:%H:%M}"
