"""The fair-use budget: e-conomic allows 50 000 calls per agreement per 24 hours.

Counted in the shared cache (Redis at scale) in hourly buckets, so the window is a rolling
24 hours, not a calendar day that would allow twice the budget around midnight.
"""

from __future__ import annotations

import contextlib
import hashlib

from django.core.cache import cache as default_cache
from django.core.cache.backends.base import BaseCache

from budstikke.core import clock
from budstikke.economic.errors import BudgetExhaustedError

FAIR_USE_CALLS_PER_DAY = 50_000
_HOURS = 24


def agreement_key(grant_token: str) -> str:
    """A stable, non-secret name for an agreement: the grant token never becomes a cache key."""
    return hashlib.sha256(grant_token.encode("utf-8")).hexdigest()[:24]


class CallBudget:
    def __init__(
        self,
        agreement: str,
        limit: int = FAIR_USE_CALLS_PER_DAY,
        cache: BaseCache | None = None,
    ) -> None:
        self.agreement = agreement
        self.limit = limit
        self.cache = cache or default_cache

    def _keys(self) -> tuple[str, list[str]]:
        hour = int(clock.now().timestamp()) // 3600
        keys = [f"economic:calls:{self.agreement}:{h}" for h in range(hour - _HOURS + 1, hour + 1)]
        return keys[-1], keys

    def used(self) -> int:
        _current, keys = self._keys()
        return sum(int(value) for value in self.cache.get_many(keys).values())

    def spend(self) -> None:
        """Count one call, or refuse it when the last 24 hours already used the budget."""
        current, keys = self._keys()
        self.cache.add(current, 0, timeout=(_HOURS + 1) * 3600)
        try:
            self.cache.incr(current)
        except ValueError:  # the bucket expired between add and incr
            self.cache.set(current, 1, timeout=(_HOURS + 1) * 3600)
        total = sum(int(value) for value in self.cache.get_many(keys).values())
        if total > self.limit:
            with contextlib.suppress(ValueError):
                self.cache.decr(current)
            raise BudgetExhaustedError(
                f"{self.limit} calls to e-conomic in the last 24 hours; refusing more"
            )
