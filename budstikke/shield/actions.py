"""Every write the shield makes: bans, unbans, the allow-list, pins, refused-request counts."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F

from budstikke.core import clock
from budstikke.shield import bans, enforcement, geoip, networks, seclog, selectors
from budstikke.shield.models import AllowEntry, Ban, CountryPolicy, PolicyRevision

if TYPE_CHECKING:
    from budstikke.accounts.models import User
    from budstikke.tenants.models import Tenant


class ShieldError(ValueError):
    """An operator's request that cannot be carried out; the message says why."""


def ban(
    key: str,
    *,
    scenario: str,
    reason: str,
    origin: Ban.Origin = Ban.Origin.DETECTOR,
    evidence: dict[str, Any] | None = None,
    factor: float = 1.0,
    length: timedelta | None = None,
    by: User | None = None,
) -> Ban | None:
    """Ban a source (or, for operators, a network). Allow-listed networks are never banned;
    an active ban is returned as it is rather than doubled."""
    if selectors.is_allowed(key):
        if origin == Ban.Origin.MANUAL:
            raise ShieldError(f"{key} is on the allow-list; remove it there first")
        return None
    now = clock.now()
    with transaction.atomic():
        existing = selectors.active_ban_for(key)
        if existing is not None:
            return existing
        computed, earlier, recidive = bans.duration(key, factor, now)
        evidence = {**(evidence or {}), "detector": scenario}
        record = Ban.objects.create(
            network=key,
            scenario="recidive" if recidive and origin != Ban.Origin.MANUAL else scenario,
            reason=reason[:300],
            origin=origin,
            evidence=evidence,
            country=geoip.country_of(str(networks.address_of(key))) or "",
            escalation=earlier,
            created_at=now,
            expires_at=now + (length or computed),
            created_by=by,
        )
    enforcement.add(key, record.expires_at.timestamp())
    seclog.ban(key, record.scenario, record.expires_at, origin)
    return record


def manual_ban(network_text: str, hours: int, reason: str, by: User | None) -> Ban:
    try:
        network = networks.parse_network(network_text)
    except ValueError as exc:
        raise ShieldError(str(exc)) from exc
    if network.num_addresses > 2**16 and network.version == 4:
        raise ShieldError("A ban wider than a /16 would shut out too many people")
    result = ban(
        networks.network_key(network),
        scenario="manual",
        reason=reason or "operator",
        origin=Ban.Origin.MANUAL,
        length=timedelta(hours=hours),
        by=by,
    )
    assert result is not None  # manual bans raise instead of returning None
    return result


def unban(key: str, by: User | None = None) -> int:
    now = clock.now()
    lifted = selectors.active_bans(now).filter(network=key).update(lifted_at=now, lifted_by=by)
    enforcement.remove(key)
    if lifted:
        seclog.unban(key)
    return lifted


def allow(
    network_text: str, note: str = "", tenant: Tenant | None = None, by: User | None = None
) -> AllowEntry:
    """Allow-list a network (an operator's, or a tenant's office) and lift bans inside it."""
    try:
        network = networks.parse_network(network_text)
    except ValueError as exc:
        raise ShieldError(str(exc)) from exc
    key = networks.network_key(network)
    entry = AllowEntry.objects.create(network=key, note=note[:200], tenant=tenant, created_by=by)
    for ban_key in list(selectors.active_bans().values_list("network", flat=True)):
        if networks.address_of(ban_key) in network:
            unban(ban_key, by)
    enforcement.STATE.next_refresh = 0.0
    return entry


def disallow(entry_id: int) -> None:
    AllowEntry.objects.filter(pk=entry_id).delete()
    enforcement.STATE.next_refresh = 0.0


def pin(country: str, restricted: bool, full_block: bool, by: User | None) -> CountryPolicy:
    """Fix a country's state by hand; the nightly revision leaves pinned countries alone."""
    code = country.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise ShieldError(f"{country!r} is not a two-letter country code")
    now = clock.now()
    with transaction.atomic():
        policy, _ = CountryPolicy.objects.select_for_update().get_or_create(country=code)
        policy.restricted = restricted
        policy.full_block = full_block and restricted
        policy.pinned = True
        policy.since = now
        policy.quiet_since = None
        policy.save()
        state = "restricted" if restricted else "open"
        if policy.full_block:
            state = "fully blocked"
        PolicyRevision.objects.create(
            at=now,
            country=code,
            action=PolicyRevision.Action.PIN,
            reason=f"pinned {state} by the operator",
            actor=by,
        )
    enforcement.STATE.next_refresh = 0.0
    return policy


def unpin(country: str, by: User | None) -> None:
    code = country.strip().upper()
    with transaction.atomic():
        changed = CountryPolicy.objects.filter(country=code, pinned=True).update(pinned=False)
        if changed:
            PolicyRevision.objects.create(
                country=code,
                action=PolicyRevision.Action.UNPIN,
                reason="returned to the nightly revision",
                actor=by,
            )


def add_refused_requests(counts: Counter[str]) -> None:
    now = clock.now()
    for key, count in counts.items():
        Ban.objects.filter(network=key, lifted_at__isnull=True, expires_at__gt=now).update(
            blocked_requests=F("blocked_requests") + count
        )
