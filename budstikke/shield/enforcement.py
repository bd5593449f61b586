"""The in-memory ban set every request is checked against, and its refresh.

Each process keeps a dict {source key: expiry timestamp}; a request costs one dict lookup.
The dict is reloaded from the database every SHIELD_REFRESH_SECONDS, or, when REDIS_URL is
set, from a Redis hash that every process and node shares (checked every second through a
generation counter, reloaded only when it moved). A ban made in this process is added at
once. While Redis is unreachable the database is read again as without Redis; a Redis that
comes back empty is refilled from the database by the first process that notices. Refused
requests are counted in memory and added to the Ban rows at refresh.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from budstikke.core import clock
from budstikke.core.clientip import IPNetwork
from budstikke.shield import networks

log = logging.getLogger(__name__)
REDIS_PREFIX = "budstikke:shield:"


@dataclass
class BanSet:
    hosts: dict[str, float] = field(default_factory=dict)
    ranges: list[tuple[IPNetwork, float]] = field(default_factory=list)
    # country -> full block (True) or everything but the public tracking page (False)
    restricted: dict[str, bool] = field(default_factory=dict)
    allow: list[IPNetwork] = field(default_factory=list)
    next_refresh: float = 0.0
    next_redis_check: float = 0.0
    redis_generation: int = -1
    redis_down: bool = False
    blocked: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def banned_until(self, source: str, now: float) -> float | None:
        expiry = self.hosts.get(source)
        if expiry is not None and expiry > now:
            return expiry
        if self.ranges:
            address = networks.address_of(source)
            for network, until in self.ranges:
                if until > now and network.version == address.version and address in network:
                    return until
        return None


STATE = BanSet()


def now_ts() -> float:
    return clock.now().timestamp()


def reset(*, loaded: bool = False) -> None:
    """Forget everything in memory. Tests pass loaded=True: the (empty) test database is then
    not read until an action asks for a reload."""
    STATE.__dict__.update(BanSet(next_refresh=float("inf") if loaded else 0.0).__dict__)


def add(key: str, until: float) -> None:
    """Make a new ban effective in this process at once, and in every process via Redis."""
    if networks.is_host_key(key):
        STATE.hosts[key] = max(until, STATE.hosts.get(key, 0.0))
    else:
        STATE.ranges.append((ipaddress.ip_network(key), until))
    client = _redis()
    if client is not None:
        try:
            client.hset(REDIS_PREFIX + "bans", key, until)
            client.incr(REDIS_PREFIX + "gen")
        except Exception:  # Redis down: the Ban row and this process hold it (see refresh)
            log.warning("shield: Redis unreachable, ban of %s kept in the database only", key)


def remove(key: str) -> None:
    STATE.hosts.pop(key, None)
    STATE.ranges = [(n, u) for n, u in STATE.ranges if networks.network_key(n) != key]
    client = _redis()
    if client is not None:
        try:
            client.hdel(REDIS_PREFIX + "bans", key)
            client.incr(REDIS_PREFIX + "gen")
        except Exception:  # Redis down: the minute job rewrites the shared set from the database
            log.warning("shield: Redis unreachable, lifting of %s kept in the database only", key)


@functools.cache
def _redis_for(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=0.5)


def _redis() -> Any:
    url = settings.REDIS_URL
    return _redis_for(url) if url else None


def _load_from_db(now: float) -> None:
    from budstikke.shield.selectors import active_ban_keys, allow_networks, restricted_countries

    hosts: dict[str, float] = {}
    ranges: list[tuple[IPNetwork, float]] = []
    for key, until in active_ban_keys():
        if networks.is_host_key(key):
            hosts[key] = max(until, hosts.get(key, 0.0))
        else:
            ranges.append((ipaddress.ip_network(key), until))
    STATE.hosts, STATE.ranges = hosts, ranges
    STATE.restricted = restricted_countries()
    STATE.allow = allow_networks()


def _load_from_redis(now: float) -> None:
    client = _redis()
    stored = client.get(REDIS_PREFIX + "gen")
    if stored is None:  # a Redis that restarted empty: refill the shared set from the database
        sync_redis()
        stored = client.get(REDIS_PREFIX + "gen")
    generation = int(stored or 0)
    if generation == STATE.redis_generation:
        return
    raw = client.hgetall(REDIS_PREFIX + "bans")
    hosts: dict[str, float] = {}
    ranges: list[tuple[IPNetwork, float]] = []
    for key_bytes, until_bytes in raw.items():
        key, until = key_bytes.decode(), float(until_bytes)
        if until <= now:
            continue
        if networks.is_host_key(key):
            hosts[key] = until
        else:
            ranges.append((ipaddress.ip_network(key), until))
    STATE.hosts, STATE.ranges = hosts, ranges
    STATE.redis_generation = generation


def flush_counts() -> None:
    from budstikke.shield.actions import add_refused_requests

    with STATE.lock:
        counts, STATE.blocked = STATE.blocked, Counter()
    if counts:
        add_refused_requests(counts)


def refresh(now: float) -> None:
    """Reload the ban set: Redis every second when configured, the database periodically."""
    if not STATE.lock.acquire(blocking=False):
        return
    try:
        if settings.REDIS_URL and now >= STATE.next_redis_check:
            STATE.next_redis_check = now + 1.0
            try:
                _load_from_redis(now)
                STATE.redis_down = False
            except Exception:  # Redis down: the database copy protects (below) until it is back.
                if not STATE.redis_down:
                    log.warning("shield: Redis unreachable, using the database ban list")
                STATE.redis_down = True
                STATE.redis_generation = -1  # reload the whole shared set once it answers
        if now < STATE.next_refresh:
            return
        STATE.next_refresh = now + settings.SHIELD_REFRESH_SECONDS
        if settings.REDIS_URL and not STATE.redis_down:
            from budstikke.shield.selectors import allow_networks, restricted_countries

            STATE.restricted = restricted_countries()
            STATE.allow = allow_networks()
        else:
            _load_from_db(now)
    finally:
        STATE.lock.release()
    flush_counts()


def sync_redis() -> int:
    """Write the database's active bans to Redis (the minute job; covers restarts of Redis)."""
    from budstikke.shield.selectors import active_ban_keys

    client = _redis()
    if client is None:
        return 0
    bans = dict(active_ban_keys())
    pipe = client.pipeline()
    pipe.delete(REDIS_PREFIX + "bans")
    if bans:
        pipe.hset(REDIS_PREFIX + "bans", mapping=bans)
    pipe.incr(REDIS_PREFIX + "gen")
    pipe.execute()
    return len(bans)
