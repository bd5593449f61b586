"""The Redis cache (REDIS_URL) as Budstikke uses it: rate-limit counters, locks, used
one-time codes. While Redis is unreachable it behaves as an empty cache that keeps nothing,
so pages and the API keep answering instead of failing with the cache:

- reads miss (`get` → default): counters start from zero, so rate limits are not enforced
  for the outage (the shield's in-memory flood detector and its ban set still are);
- `add` fails (→ False): locks are not taken (an e-conomic sync waits for the next round)
  and a TOTP code cannot be marked used, so TOTP sign-in waits (recovery codes still work);
- writes are dropped, `incr` reports the key missing.

One warning per minute per process says so; nothing else changes when Redis returns.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
_WARN_EVERY = 60.0
_warned_at = [float("-inf")]


def _unreachable(exc: BaseException) -> None:
    now = time.monotonic()
    if now - _warned_at[0] >= _WARN_EVERY:
        _warned_at[0] = now
        log.warning("cache: Redis unreachable (%s); acting as an empty cache", type(exc).__name__)


class DegradingRedisCache(RedisCache):
    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            return False

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        try:
            return super().get(key, default, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            return default

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as exc:
            _unreachable(exc)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        try:
            return super().touch(key, timeout, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            return False

    def delete(self, key: Any, version: Any = None) -> Any:
        try:
            return super().delete(key, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            return False

    def get_many(self, keys: Any, version: Any = None) -> Any:
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            return {}

    def has_key(self, key: Any, version: Any = None) -> Any:
        try:
            return super().has_key(key, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            return False

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            raise ValueError(f"Key {key!r} not found (cache unreachable)") from exc

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as exc:
            _unreachable(exc)
            return list(data)

    def delete_many(self, keys: Any, version: Any = None) -> None:
        try:
            super().delete_many(keys, version)
        except UNREACHABLE as exc:
            _unreachable(exc)

    def clear(self) -> None:
        try:
            super().clear()
        except UNREACHABLE as exc:
            _unreachable(exc)
