"""Live detection: each recorded event is poured, with its recent predecessors, into the
buckets of the scenarios that listen to its kind; an overflow is a ban on the source.

Buckets are replayed from the stored events rather than kept in memory, so every process
and node sees the same buckets and a restart forgets nothing. Only the source address (its
/64 for IPv6) groups events: a username, a path or any text a client sends never decides
who is banned.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import timedelta
from typing import Any

from budstikke.shield import actions, enforcement, selectors
from budstikke.shield.models import Ban, SecurityEvent
from budstikke.shield.scenarios import Bucket, Scenario, for_kind

EVIDENCE_SAMPLE = 20


def distinct_value(scenario: Scenario, path: str, user_id: int | None, detail: Any) -> Hashable:
    for field in scenario.distinct:
        if field == "path":
            value: Any = path
        elif field == "user":
            value = user_id
        elif field.startswith("detail.") and isinstance(detail, dict):
            value = detail.get(field[7:])
        else:
            value = None
        if value not in (None, ""):
            return str(value)
    return None


def _evaluate(scenario: Scenario, event: SecurityEvent) -> Ban | None:
    source = event.source
    since = event.at - timedelta(seconds=scenario.horizon)
    fresh_start = selectors.last_decision_at(source)
    if fresh_start is not None and fresh_start > since:
        since = fresh_start
    capacity = scenario.capacity_for(source)
    limit = (capacity + 1) * (8 if scenario.distinct else 2)
    rows = list(
        SecurityEvent.objects.filter(
            source=source, kind__in=scenario.kinds, at__gte=since, at__lte=event.at
        )
        .order_by("-at", "-id")
        .values_list("id", "at", "path", "user_id", "detail")[:limit]
    )
    rows.reverse()
    bucket = Bucket()
    overflowed = False
    for _, at, path, user_id, detail in rows:
        value = distinct_value(scenario, path, user_id, detail)
        if scenario.distinct and value is None:
            continue
        overflowed = bucket.pour(scenario, capacity, at.timestamp(), value) or overflowed
    if not overflowed:
        return None
    paths = sorted({path for _, _, path, _, _ in rows if path})[:EVIDENCE_SAMPLE]
    return actions.ban(
        source,
        scenario=scenario.name,
        reason=scenario.description,
        evidence={
            "events": len(rows),
            "event_ids": [row[0] for row in rows][-EVIDENCE_SAMPLE:],
            "first": rows[0][1].isoformat(),
            "last": rows[-1][1].isoformat(),
            "paths": paths,
            "capacity": capacity,
        },
        factor=scenario.ban_factor,
    )


def observe(event: SecurityEvent) -> Ban | None:
    """Run the event-fed scenarios for this event's kind; return the ban if one was made."""
    if not event.source:
        return None
    for scenario in for_kind(event.kind):
        if scenario.live_in_memory:
            continue
        if enforcement.STATE.banned_until(event.source, event.at.timestamp()) is not None:
            return None
        ban = _evaluate(scenario, event)
        if ban is not None:
            return ban
    return None
