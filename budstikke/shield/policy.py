"""The nightly country policy: restrict the countries most attacks come from, lift them when
they have been quiet, never touch the countries the installation serves.

A country is restricted when, over the window (SHIELD_COUNTRY_WINDOW_DAYS), it sent at least
SHIELD_COUNTRY_MIN_ATTEMPTS malicious events and at least SHIELD_COUNTRY_MIN_SHARE_PERCENT
of all of them. It is lifted when it has stayed under half of either threshold (hysteresis:
it has to fall well below the line it crossed) for SHIELD_COUNTRY_QUIET_WINDOWS windows.
Protected countries (the setting, plus every tenant's country) and countries with successful
logins in the window are never restricted automatically; the operator's pins override all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from budstikke.core import clock
from budstikke.shield import enforcement, selectors
from budstikke.shield.models import CountryPolicy, PolicyRevision

LIFT_RATIO = 0.5


@dataclass(frozen=True)
class Thresholds:
    attempts: int
    share: float

    def exceeded(self, count: int, total: int) -> bool:
        return count >= self.attempts and total > 0 and count / total >= self.share


def protected_countries() -> set[str]:
    from budstikke.tenants.models import Tenant

    tenant_countries = set(Tenant.objects.values_list("country", flat=True).distinct())
    return set(settings.SHIELD_PROTECTED_COUNTRIES) | {c.upper() for c in tenant_countries if c}


def _reason(verb: str, count: int, total: int, days: int) -> str:
    share = 100 * count / total if total else 0.0
    return f"{verb}: {count} malicious attempts, {share:.1f} % of {total} in {days} days"


def revise(now: datetime | None = None) -> list[PolicyRevision]:
    """One revision of the whole list; returns the changes it logged."""
    now = now or clock.now()
    days = settings.SHIELD_COUNTRY_WINDOW_DAYS
    window = timedelta(days=days)
    since = now - window
    counts = selectors.attempts_by_country(since, now)
    total = sum(counts.values())
    restrict_at = Thresholds(
        settings.SHIELD_COUNTRY_MIN_ATTEMPTS, settings.SHIELD_COUNTRY_MIN_SHARE_PERCENT / 100
    )
    lift_below = Thresholds(
        max(1, int(restrict_at.attempts * LIFT_RATIO)), restrict_at.share * LIFT_RATIO
    )
    never = protected_countries() | selectors.countries_with_logins(since, now)
    quiet_for = (settings.SHIELD_COUNTRY_QUIET_WINDOWS - 1) * window
    changes: list[PolicyRevision] = []
    with transaction.atomic():
        policies = {p.country: p for p in CountryPolicy.objects.select_for_update()}
        for country, count in sorted(counts.items()):
            policy = policies.get(country)
            if policy is not None and (policy.pinned or policy.restricted):
                continue
            if country in never or not restrict_at.exceeded(count, total):
                continue
            policy = policy or CountryPolicy(country=country)
            policy.restricted, policy.since, policy.quiet_since = True, now, None
            policy.save()
            changes.append(
                PolicyRevision.objects.create(
                    at=now,
                    country=country,
                    action=PolicyRevision.Action.RESTRICT,
                    attempts=count,
                    total=total,
                    window_days=days,
                    reason=_reason("over the thresholds", count, total, days),
                )
            )
        for policy in policies.values():
            if policy.pinned or not policy.restricted:
                continue
            count = counts.get(policy.country, 0)
            if policy.country in never:
                why = "a protected country or one with successful logins"
            elif lift_below.exceeded(count, total):
                if policy.quiet_since is not None:
                    policy.quiet_since = None
                    policy.save(update_fields=["quiet_since"])
                continue
            else:
                if policy.quiet_since is None:
                    policy.quiet_since = now
                if now - policy.quiet_since < quiet_for:
                    policy.save(update_fields=["quiet_since"])
                    continue
                why = "quiet"
            policy.restricted, policy.full_block, policy.since = False, False, now
            policy.quiet_since = None
            policy.save()
            changes.append(
                PolicyRevision.objects.create(
                    at=now,
                    country=policy.country,
                    action=PolicyRevision.Action.LIFT,
                    attempts=count,
                    total=total,
                    window_days=days,
                    reason=_reason(why, count, total, days),
                )
            )
    enforcement.STATE.next_refresh = 0.0
    return changes
