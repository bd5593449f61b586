from __future__ import annotations

import json
import logging

import pytest

from budstikke.core.logs import JsonFormatter, RedactingFilter


def _render(formatter: logging.Formatter, msg: str, *args: object) -> str:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, msg, args, None)
    RedactingFilter().filter(record)
    return formatter.format(record)


@pytest.mark.parametrize(
    "secret",
    [
        "bsk_live_4f9a8b7c6d5e",
        "password=Hunter2Hunter2",
        "Authorization: Bearer eyJhbGciOi.payload.sig",
        "anna.hansen@example.dk",
        "+45 20 12 34 56",
    ],
)
def test_secrets_and_personal_data_never_reach_a_log_line(secret: str) -> None:
    line = _render(logging.Formatter("%(message)s"), "login attempt %s done", secret)
    for fragment in ("4f9a8b7c6d5e", "Hunter2", "payload.sig", "anna.hansen", "20 12 34 56"):
        assert fragment not in line


def test_log_lines_cannot_be_forged_with_newlines() -> None:
    line = _render(logging.Formatter("%(message)s"), "user %s", "x\nINFO admin logged in")
    assert "\n" not in line


def test_json_lines_carry_level_and_logger() -> None:
    payload = json.loads(_render(JsonFormatter(), "hello %s", "world"))
    assert payload["message"] == "hello world"
    assert payload["level"] == "INFO"
    assert payload["logger"] == "x"
