"""While Redis is unreachable the cache keeps rate-limit counters in each process's
memory, so limits hold and sign-in still works, and keeps nothing else: no lock or
once-only mark is granted that other processes could not see."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache

from budstikke.core import cache as cache_module


def test_counters_are_kept_in_memory_during_an_outage(
    redis_unreachable: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "_warned_at", [float("-inf")])
    with caplog.at_level(logging.WARNING, logger="budstikke.core.cache"):
        assert cache.add("shipments:track:pc:1", 1, timeout=60) is True
        assert cache.add("shipments:track:pc:1", 1, timeout=60) is False
        assert cache.incr("shipments:track:pc:1") == 2
        assert cache.decr("shipments:track:pc:1") == 1
        cache.set_many({"economic:calls:a:1": 3, "economic:calls:a:2": 4})
        assert cache.get_many(["economic:calls:a:1", "economic:calls:a:2"]) == {
            "economic:calls:a:1": 3,
            "economic:calls:a:2": 4,
        }
        cache.delete("economic:calls:a:1")
        assert cache.get("economic:calls:a:1", "gone") == "gone"
        with pytest.raises(ValueError, match="not found"):
            cache.incr("shipments:track:never-set")
    assert "Redis unreachable (ConnectionError)" in caplog.text


def test_no_lock_or_once_only_mark_is_granted_during_an_outage(redis_unreachable: str) -> None:
    assert cache.add("economic:sync:lock:1", 1, timeout=60) is False
    assert cache.add("allauth.mfa.totp.used?user=1&code=123456", "y", timeout=30) is False
    cache.set("anything:else", 1)
    assert cache.get("anything:else") is None
    assert cache.get_many(["anything:else"]) == {}
    with pytest.raises(ValueError, match="not found"):
        cache.incr("anything:else")


def test_counters_kept_in_memory_expire(redis_unreachable: str) -> None:
    cache.set("throttle_api_1", [1.0], timeout=-1)  # already expired
    cache.set("throttle_api_2", [1.0])  # the cache's default timeout
    assert cache.get("throttle_api_1") is None
    assert cache.get("throttle_api_2") == [1.0]
