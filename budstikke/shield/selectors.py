"""Reads shared by the middleware, the detectors and the security center."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate

from budstikke.core import clock
from budstikke.core.clientip import IPNetwork
from budstikke.shield import networks
from budstikke.shield.models import AllowEntry, Ban, CountryPolicy, PolicyRevision, SecurityEvent


def active_bans(now: datetime | None = None) -> QuerySet[Ban]:
    now = now or clock.now()
    return Ban.objects.filter(lifted_at__isnull=True, expires_at__gt=now).order_by("-created_at")


def active_ban_keys() -> list[tuple[str, float]]:
    return [
        (network, expires.timestamp())
        for network, expires in active_bans().values_list("network", "expires_at")
    ]


def active_ban_for(key: str) -> Ban | None:
    return active_bans().filter(network=key).first()


def allow_networks() -> list[IPNetwork]:
    found: list[IPNetwork] = list(settings.SHIELD_ALLOW_CIDRS)
    for text in AllowEntry.objects.values_list("network", flat=True):
        try:
            found.append(networks.parse_network(text))
        except ValueError:
            continue
    return found


def is_allowed(source: str) -> bool:
    return networks.contains(allow_networks(), source)


def restricted_countries() -> dict[str, bool]:
    return dict(CountryPolicy.objects.filter(restricted=True).values_list("country", "full_block"))


def last_decision_at(key: str) -> datetime | None:
    """When the latest ban on this source began or was lifted: buckets start afresh then."""
    ban = Ban.objects.filter(network=key).order_by("-created_at").first()
    if ban is None:
        return None
    return max(ban.created_at, ban.lifted_at) if ban.lifted_at else ban.created_at


def malicious_events() -> QuerySet[SecurityEvent]:
    return SecurityEvent.objects.exclude(kind=SecurityEvent.Kind.LOGIN_SUCCEEDED)


def attempts_by_country(since: datetime, until: datetime) -> dict[str, int]:
    rows = (
        malicious_events()
        .filter(at__gte=since, at__lt=until)
        .exclude(country="")
        .values("country")
        .annotate(n=Count("id"))
    )
    return {row["country"]: row["n"] for row in rows}


def countries_with_logins(since: datetime, until: datetime) -> set[str]:
    return set(
        SecurityEvent.objects.filter(
            kind=SecurityEvent.Kind.LOGIN_SUCCEEDED, at__gte=since, at__lt=until
        )
        .exclude(country="")
        .values_list("country", flat=True)
        .distinct()
    )


def daily_attempts_by_country(days: int) -> list[tuple[str, str, int]]:
    """(day ISO, country or '', count) for the chart, oldest first."""
    since = clock.now() - timedelta(days=days)
    rows = (
        malicious_events()
        .filter(at__gte=since)
        .annotate(day=TruncDate("at"))
        .values("day", "country")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    return [(row["day"].isoformat(), row["country"], row["n"]) for row in rows]


def top_scenarios(days: int) -> list[tuple[str, int, int]]:
    """(scenario, bans, refused requests) over the last `days`."""
    since = clock.now() - timedelta(days=days)
    rows = (
        Ban.objects.filter(created_at__gte=since)
        .values("scenario")
        .annotate(n=Count("id"), refused=Sum("blocked_requests"))
        .order_by("-n")
    )
    return [(row["scenario"], row["n"], row["refused"] or 0) for row in rows]


def event_kind_counts(days: int) -> list[tuple[str, int]]:
    since = clock.now() - timedelta(days=days)
    rows = (
        malicious_events()
        .filter(at__gte=since)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return [(row["kind"], row["n"]) for row in rows]


def revisions(limit: int = 50) -> QuerySet[PolicyRevision]:
    return PolicyRevision.objects.select_related("actor")[:limit]
