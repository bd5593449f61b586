"""Strict environment parsing for settings: a value that cannot be read is an error."""

from __future__ import annotations

import os
from pathlib import Path

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


class EnvError(Exception):
    """A setting in the environment is missing or malformed."""


def _raw(name: str) -> str | None:
    """The value of NAME, or the contents of the file named by NAME_FILE (for secrets)."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value is not None and file_name is not None:
        raise EnvError(f"{name} and {name}_FILE are both set; set only one")
    if file_name is not None:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise EnvError(f"{name}_FILE={file_name!r} cannot be read: {exc.strerror}") from exc
    return value


def string(name: str, default: str | None = None) -> str:
    value = _raw(name)
    if value is None or value == "":
        if default is None:
            raise EnvError(f"{name} is required")
        return default
    return value


def optional(name: str) -> str | None:
    value = _raw(name)
    return value if value else None


def boolean(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvError(f"{name}={value!r} is not a boolean; use true or false")


def integer(name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        result = default
    else:
        try:
            result = int(value.strip())
        except ValueError as exc:
            raise EnvError(f"{name}={value!r} is not a whole number") from exc
    if minimum is not None and result < minimum:
        raise EnvError(f"{name}={result} is below the minimum {minimum}")
    if maximum is not None and result > maximum:
        raise EnvError(f"{name}={result} is above the maximum {maximum}")
    return result


def string_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = string(name, default)
    if value not in choices:
        raise EnvError(f"{name}={value!r} must be one of: {', '.join(choices)}")
    return value


def path(name: str, default: Path) -> Path:
    value = _raw(name)
    return Path(value).expanduser().resolve() if value else default


def _clock_time(name: str, text: str) -> tuple[int, int]:
    hour, _sep, minute = text.strip().partition(":")
    if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise EnvError(f"{name}: {text.strip()!r} is not a time like 02:00")
    return int(hour), int(minute)


def clock_times(name: str, default: list[str]) -> list[tuple[int, int]]:
    """Comma-separated local times of day, e.g. `02:00,14:00`, as (hour, minute) pairs."""
    times = [_clock_time(name, item) for item in string_list(name, default)]
    if not times:
        raise EnvError(f"{name} needs at least one time")
    return times


def clock_range(name: str, default: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """A span of the day such as `21:00-08:00` (it may pass midnight)."""
    value = string(name, default)
    start, sep, end = value.partition("-")
    if not sep:
        raise EnvError(f"{name}={value!r} is not a range like 21:00-08:00")
    return _clock_time(name, start), _clock_time(name, end)
