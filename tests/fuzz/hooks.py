"""Schemathesis hooks for `make fuzz` (loaded through SCHEMATHESIS_HOOKS=tests.fuzz.hooks):
every generated case carries one of the seeded API keys, in turn, so the per-key rate limit
(600 requests a minute) spreads over several keys, as it would over several shippers."""

from __future__ import annotations

import itertools
import os
from typing import Any

import schemathesis

_KEYS = itertools.cycle(
    [key for key in os.environ.get("BUDSTIKKE_FUZZ_KEYS", "").split(",") if key] or [""]
)


@schemathesis.auth(refresh_interval=None)
class RotatingApiKey:
    def get(self, case: Any, ctx: Any) -> str:
        return next(_KEYS)

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
