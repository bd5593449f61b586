"""With REDIS_URL set, a ban made by one process reaches every other one through Redis."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import redis
from django.test import Client

from budstikke.shield import actions, enforcement

pytestmark = pytest.mark.django_db
URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def shared(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    client = redis.Redis.from_url(URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"test:{uuid.uuid4().hex}:"
    monkeypatch.setattr(enforcement, "REDIS_PREFIX", prefix)
    settings.REDIS_URL = URL
    yield client
    for key in client.scan_iter(prefix + "*"):
        client.delete(key)


def test_a_ban_reaches_another_process_through_redis(client: Client, shared: Any) -> None:
    actions.manual_ban("203.0.113.120", 1, "test", None)
    assert shared.hexists(enforcement.REDIS_PREFIX + "bans", "203.0.113.120")
    enforcement.reset()  # another process: an empty ban set
    assert client.get("/", REMOTE_ADDR="203.0.113.120").status_code == 403
    actions.unban("203.0.113.120")
    enforcement.reset()
    assert client.get("/", REMOTE_ADDR="203.0.113.120").status_code == 200
