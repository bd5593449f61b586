"""The Redis cache (REDIS_URL) as Budstikke uses it: rate-limit counters, locks, used
one-time codes. While Redis is unreachable, pages and the API keep answering instead of
failing with the cache, and keys fall in two kinds:

- **Counters** (`COUNTER_PREFIXES`: rate limits and how often a notice is sent) are kept in
  a cache in the process's own memory, `add` included. Each process counts alone, so an
  address gets at most the limit times the number of processes, never an unlimited
  allowance, and sign-in is not refused for want of the rate limiter's lock.
- **Everything else** acts as an empty cache that keeps nothing: reads miss, writes are
  dropped, `incr` reports the key missing and `add` fails (→ False), because an `add` there
  is a claim every process must agree on. Locks are not taken (an e-conomic sync waits for
  the next round) and a TOTP code cannot be marked used, so TOTP sign-in waits (a replay
  could not be refused; recovery codes still work).

One warning per minute per process says so. When Redis answers again it is used again;
what the local cache counted meanwhile is left to expire.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
_WARN_EVERY = 60.0
_warned_at = [float("-inf")]

COUNTER_PREFIXES = (
    "allauth:rl:",  # allauth's rate limits (sign-in, password reset) and their locks
    "throttle_",  # django-ninja's API throttles
    "shipments:track:",  # postcode guesses on the public tracking page
    "economic:calls:",  # the e-conomic call budget
    "accounts:notice:",  # how often a security notice is mailed to a user
)
"""Keys whose state may live in each process's memory during an outage: losing it, or
splitting it between processes, only loosens or tightens a count."""
LOCAL_ENTRIES = 50_000
"""How many counters one process keeps in memory during an outage."""


def _unreachable(exc: BaseException) -> None:
    now = time.monotonic()
    if now - _warned_at[0] >= _WARN_EVERY:
        _warned_at[0] = now
        log.warning(
            "cache: Redis unreachable (%s); counting rate limits in this process meanwhile",
            type(exc).__name__,
        )


def _counter(key: Any) -> bool:
    return isinstance(key, str) and key.startswith(COUNTER_PREFIXES)


class DegradingRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.local = LocMemCache(
            f"budstikke-outage-{id(self)}",
            {
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "OPTIONS": {"MAX_ENTRIES": LOCAL_ENTRIES, "CULL_FREQUENCY": 10},
            },
        )

    def _timeout(self, timeout: Any) -> Any:
        """This cache's default where the caller gave none (the local cache has its own)."""
        return self.default_timeout if timeout is DEFAULT_TIMEOUT else timeout

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            return _counter(key) and self.local.add(key, value, self._timeout(timeout), version)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        try:
            return super().get(key, default, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            return self.local.get(key, default, version) if _counter(key) else default

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            if _counter(key):
                self.local.set(key, value, self._timeout(timeout), version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        try:
            return super().touch(key, timeout, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            return _counter(key) and self.local.touch(key, self._timeout(timeout), version)

    def delete(self, key: Any, version: Any = None) -> Any:
        try:
            return super().delete(key, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            return _counter(key) and self.local.delete(key, version)

    def get_many(self, keys: Any, version: Any = None) -> Any:
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            return self.local.get_many([k for k in keys if _counter(k)], version)

    def has_key(self, key: Any, version: Any = None) -> Any:
        try:
            return super().has_key(key, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            return _counter(key) and self.local.has_key(key, version)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        """A missing key raises ValueError, as Django's caches do."""
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            if _counter(key):
                return self.local.incr(key, delta, version)
            raise ValueError(f"Key {key!r} not found (cache unreachable)") from exc

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            counters = {k: v for k, v in data.items() if _counter(k)}
            self.local.set_many(counters, self._timeout(timeout), version)
            return [k for k in data if k not in counters]

    def delete_many(self, keys: Any, version: Any = None) -> None:
        try:
            super().delete_many(keys, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            self.local.delete_many([k for k in keys if _counter(k)], version)

    def clear(self) -> None:
        self.local.clear()
        try:
            super().clear()
        except UNREACHABLE as exc:
            _unreachable(exc)
