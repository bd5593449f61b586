"""A sqlmap tamper script (`--tamper tests/audit/rotating_key.py`): every request carries the
next of the API keys in BUDSTIKKE_AUDIT_KEYS, so one key's rate limit (600 requests a
minute) does not answer sqlmap's thousands of requests with 429 instead of the endpoint."""

from __future__ import annotations

import itertools
import os
from typing import Any

__priority__ = 0  # sqlmap's PRIORITY.NORMAL

_KEYS = itertools.cycle(
    [key for key in os.environ.get("BUDSTIKKE_AUDIT_KEYS", "").split(",") if key] or [""]
)


def dependencies() -> None:
    """sqlmap asks every tamper script; this one needs nothing."""


def tamper(payload: str, **kwargs: Any) -> str:
    headers: dict[str, str] = kwargs.get("headers", {})
    headers["Authorization"] = f"Bearer {next(_KEYS)}"
    return payload
