"""The job queue (Huey) as the outbox uses it: queueing a job is only a hint.

Every outbox row is written in its cause's transaction and swept by the worker every minute
or few (ARCHITECTURE invariant 3), so a job that cannot be queued — Redis unreachable, the
SQLite queue file locked — is logged and left to the sweep instead of failing the request
whose data is already committed.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import huey
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
QUEUE_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, sqlite3.OperationalError)


class _HintQueue:
    def enqueue(self, task: Any) -> Any:
        try:
            return super().enqueue(task)  # type: ignore[misc]
        except QUEUE_UNAVAILABLE as exc:
            log.warning(
                "job queue unavailable (%s): %s waits for its sweep", type(exc).__name__, task.name
            )
            return None


class RedisHuey(_HintQueue, huey.RedisHuey):  # type: ignore[misc]  # huey is untyped
    pass


class SqliteHuey(_HintQueue, huey.SqliteHuey):  # type: ignore[misc]
    pass
