"""How long a ban lasts: fail2ban's bantime.increment and recidive, softened for CGNAT."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from budstikke.shield import networks
from budstikke.shield.models import Ban

ESCALATION_MEMORY = timedelta(days=30)
RECIDIVE_WINDOW = timedelta(days=1)
RECIDIVE_BANS = 5  # this ban included, as fail2ban's recidive jail counts
CGNAT_DIVISOR = 4


def duration(key: str, factor: float, now: datetime) -> tuple[timedelta, int, bool]:
    """(duration, earlier bans counted, recidive) for a new ban on `key`.

    base x factor x 2^n, n = earlier bans of the same source in the last 30 days, capped at
    SHIELD_BAN_MAX_SECONDS; a fifth ban within a day is a recidive and lasts
    SHIELD_RECIDIVE_SECONDS. Shared CGNAT addresses get a quarter of either.
    """
    earlier = Ban.objects.filter(network=key, created_at__gte=now - ESCALATION_MEMORY)
    count = earlier.count()
    recent = earlier.filter(created_at__gte=now - RECIDIVE_WINDOW).count()
    base = settings.SHIELD_BAN_BASE_SECONDS * factor
    seconds = min(base * 2 ** min(count, 20), settings.SHIELD_BAN_MAX_SECONDS)
    recidive = recent + 1 >= RECIDIVE_BANS
    if recidive:
        seconds = max(seconds, settings.SHIELD_RECIDIVE_SECONDS)
    if networks.is_shared(key):
        seconds /= CGNAT_DIVISOR
    return timedelta(seconds=max(60, int(seconds))), count, recidive
