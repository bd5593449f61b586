"""Which backup sets to keep: the newest N (twice-daily), the newest of each of the last
D days, the newest of each of the last M months, days and months in the installation's
zone. The newest good backup is always kept, whatever the numbers say."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from budstikke.backups.targets import Manifest


def to_keep(
    manifests: Sequence[Manifest], *, last: int, daily: int, monthly: int, zone: str
) -> set[str]:
    newest_first = sorted(manifests, key=lambda m: m.created, reverse=True)
    if not newest_first:
        return set()
    keep = {m.id for m in newest_first[:last]}
    tz = ZoneInfo(zone)
    days: set[object] = set()
    months: set[object] = set()
    for manifest in newest_first:
        local = manifest.created.astimezone(tz)
        day, month = local.date(), (local.year, local.month)
        if day not in days and len(days) < daily:
            days.add(day)
            keep.add(manifest.id)
        if month not in months and len(months) < monthly:
            months.add(month)
            keep.add(manifest.id)
    keep.add(newest_first[0].id)
    return keep
