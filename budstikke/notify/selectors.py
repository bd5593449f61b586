"""Reads shared by views, the policy and the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth

from budstikke.core import clock
from budstikke.notify.events import DEFAULT_EVENTS, DEFAULT_TEMPLATES
from budstikke.notify.models import (
    AllowedCallingCode,
    CountryCodeRequest,
    NotificationSettings,
    OptOut,
    SmsMessage,
    SmsTemplate,
    TenantCallingCode,
)
from budstikke.tenants.models import Tenant

# Messages that reached (or may have reached) a gateway: what a tenant is billed for.
BILLED = (SmsMessage.Status.SENDING, SmsMessage.Status.SENT, SmsMessage.Status.DELIVERED)


def platform_codes() -> list[int]:
    return list(AllowedCallingCode.objects.order_by("code").values_list("code", flat=True))


def granted_codes(tenant: Tenant) -> list[int]:
    return list(
        TenantCallingCode.objects.for_tenant(tenant).order_by("code").values_list("code", flat=True)
    )


def allowed_codes(tenant: Tenant | None) -> set[int]:
    codes = set(platform_codes())
    if tenant is not None and tenant.pk is not None:
        codes.update(granted_codes(tenant))
    return codes


def settings_for(tenant: Tenant) -> NotificationSettings:
    """The tenant's settings, or (unsaved) the installation's defaults."""
    found: NotificationSettings | None = (
        NotificationSettings.objects.for_tenant(tenant).filter().first()
    )
    if found is not None:
        return found
    (start_h, start_m), (end_h, end_m) = settings.SMS_QUIET_HOURS
    return NotificationSettings(
        tenant=tenant,
        events=list(DEFAULT_EVENTS),
        sender="",
        monthly_cap=settings.SMS_MONTHLY_CAP,
        rate_per_minute=settings.SMS_RATE_PER_MINUTE,
        quiet_start=time(start_h, start_m),
        quiet_end=time(end_h, end_m),
    )


def template_text(tenant: Tenant, event: str, language: str) -> str:
    own: SmsTemplate | None = (
        SmsTemplate.objects.for_tenant(tenant).filter(event=event, language=language).first()
    )
    if own is not None:
        return own.body
    return DEFAULT_TEMPLATES[(event, language)]


def custom_templates(tenant: Tenant) -> set[tuple[str, str]]:
    return set(SmsTemplate.objects.for_tenant(tenant).values_list("event", "language"))


def segment_price() -> Decimal:
    try:
        return Decimal(settings.SMS_SEGMENT_PRICE)
    except InvalidOperation:
        return Decimal(0)


def month_start(tenant: Tenant, now: datetime | None = None) -> datetime:
    """Midnight on the first of the current month in the tenant's zone."""
    local = (now or clock.now()).astimezone(ZoneInfo(tenant.timezone))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def sent_this_month(tenant: Tenant) -> int:
    count: int = (
        SmsMessage.objects.for_tenant(tenant)
        .filter(claimed_at__gte=month_start(tenant), status__in=BILLED)
        .count()
    )
    return count


def messages(tenant: Tenant) -> QuerySet[SmsMessage]:
    return SmsMessage.objects.for_tenant(tenant).order_by("-created_at", "-pk")


def opt_outs(tenant: Tenant) -> QuerySet[OptOut]:
    return OptOut.objects.for_tenant(tenant).order_by("-created_at", "-pk")


def is_opted_out(tenant: Tenant, e164: str) -> bool:
    return bool(OptOut.objects.for_tenant(tenant).find(phone=e164))


def requests_of(tenant: Tenant) -> QuerySet[CountryCodeRequest]:
    return CountryCodeRequest.objects.for_tenant(tenant).order_by("-created_at", "-pk")


# The operator's view: counts and codes, never numbers or texts -------------------------


def pending_requests() -> QuerySet[CountryCodeRequest]:
    return (
        CountryCodeRequest.objects.dangerously_unscoped()
        .filter(status=CountryCodeRequest.Status.PENDING)
        .select_related("tenant")
        .only("id", "code", "message", "created_at", "status", "tenant__name", "tenant__slug")
        .order_by("created_at", "pk")
    )


def recent_decisions() -> QuerySet[CountryCodeRequest]:
    return (
        CountryCodeRequest.objects.dangerously_unscoped()
        .exclude(status=CountryCodeRequest.Status.PENDING)
        .select_related("tenant")
        .only("id", "code", "status", "decision_reason", "decided_at", "tenant__name")
        .order_by("-decided_at", "-pk")[:20]
    )


def all_grants() -> QuerySet[TenantCallingCode]:
    return (
        TenantCallingCode.objects.dangerously_unscoped()
        .select_related("tenant")
        .only("id", "code", "granted_at", "tenant__name")
        .order_by("tenant__name", "code")
    )


@dataclass(frozen=True)
class UsageRow:
    tenant: str
    month: str
    calling_code: int | None
    region: str
    messages: int
    segments: int


def usage(limit: int = 500) -> list[UsageRow]:
    """SMS that reached a gateway, per tenant, month (UTC) and country: the billing basis."""
    rows: QuerySet[Any, dict[str, Any]] = (
        SmsMessage.objects.dangerously_unscoped()
        .filter(status__in=BILLED, claimed_at__isnull=False)
        .annotate(month=TruncMonth("claimed_at"))
        .values("tenant__name", "month", "calling_code", "region")
        .annotate(count=Count("id"), parts=Sum("segments"))
        .order_by("-month", "tenant__name", "calling_code", "region")
    )
    return [
        UsageRow(
            tenant=row["tenant__name"],
            month=row["month"].strftime("%Y-%m"),
            calling_code=row["calling_code"],
            region=row["region"],
            messages=row["count"],
            segments=row["parts"] or 0,
        )
        for row in rows[:limit]
    ]
