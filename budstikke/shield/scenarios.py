"""Detectors as data: the leaky-bucket scenarios in `data/scenarios.toml` and the bucket itself.

The same `Bucket` runs in three places: replayed over stored events when one is recorded,
in the middleware's memory for request-level inputs, and over access logs in `shield scan`.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from budstikke.shield import networks

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "scenarios.toml"
REQUEST_KINDS = frozenset({"request", "not_found"})


class ScenarioError(ValueError):
    """The scenarios file is malformed; the message says which entry and why."""


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    kinds: frozenset[str]
    capacity: int
    leak: float
    blackhole: float
    ban_factor: float
    distinct: tuple[str, ...] = ()
    group: str = "source"

    def capacity_for(self, source: str) -> int:
        """Many people share a CGNAT address: they get twice the room before an overflow."""
        return self.capacity * 2 if networks.is_shared(source) else self.capacity

    @property
    def horizon(self) -> float:
        """How far back events can still matter: a full bucket (doubled for CGNAT) drains in
        2 x capacity x leak; twice that is a safe margin."""
        return 4 * self.capacity * self.leak

    @property
    def live_in_memory(self) -> bool:
        return bool(self.kinds & REQUEST_KINDS)


def _parse(raw: dict[str, object], where: str) -> Scenario:
    try:
        kinds = raw["kinds"]
        distinct = raw.get("distinct", [])
        if not isinstance(kinds, list) or not isinstance(distinct, list):
            raise ScenarioError(f"{where}: kinds and distinct must be lists")
        group = str(raw.get("group", "source"))
        if group != "source":
            raise ScenarioError(f"{where}: decisions are grouped by source only, not {group!r}")
        scenario = Scenario(
            name=str(raw["name"]),
            description=str(raw.get("description", "")),
            kinds=frozenset(str(kind) for kind in kinds),
            capacity=int(raw["capacity"]),  # type: ignore[call-overload]
            leak=float(raw["leak"]),  # type: ignore[arg-type]
            blackhole=float(raw.get("blackhole", 300)),  # type: ignore[arg-type]
            ban_factor=float(raw.get("ban_factor", 1.0)),  # type: ignore[arg-type]
            distinct=tuple(str(field) for field in distinct),
        )
    except KeyError as exc:
        raise ScenarioError(f"{where}: missing {exc.args[0]!r}") from exc
    except (TypeError, ValueError) as exc:
        raise ScenarioError(f"{where}: {exc}") from exc
    if scenario.capacity < 2 and scenario.kinds & {"login_failed", "mfa_failed"}:
        raise ScenarioError(f"{where}: one failed login must never ban (capacity >= 2)")
    if scenario.capacity < 1 or scenario.leak <= 0:
        raise ScenarioError(f"{where}: capacity and leak must be positive")
    return scenario


def load(path: Path) -> tuple[Scenario, ...]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{path}: {exc}") from exc
    entries = data.get("scenario", [])
    return tuple(_parse(entry, f"{path.name}[{i}]") for i, entry in enumerate(entries))


@functools.cache
def _all(path: str) -> tuple[Scenario, ...]:
    return load(Path(path))


def all_scenarios() -> tuple[Scenario, ...]:
    return _all(settings.SHIELD_SCENARIOS_FILE or str(DEFAULT_FILE))


def for_kind(kind: str) -> tuple[Scenario, ...]:
    return tuple(s for s in all_scenarios() if kind in s.kinds)


def by_name(name: str) -> Scenario | None:
    return next((s for s in all_scenarios() if s.name == name), None)


class Bucket:
    """A leaky bucket: each pour adds one, one drains every `leak` seconds; past capacity it
    overflows, empties, and stays silent for the blackhole period."""

    __slots__ = ("blackhole_until", "last", "level", "poured", "seen")

    def __init__(self) -> None:
        self.level = 0.0
        self.last = 0.0
        self.blackhole_until = 0.0
        self.poured = 0
        self.seen: set[Hashable] | None = None

    def pour(
        self, scenario: Scenario, capacity: int, now: float, distinct: Hashable = None
    ) -> bool:
        if now < self.blackhole_until:
            return False
        if self.level:
            self.level = max(0.0, self.level - (now - self.last) / scenario.leak)
        self.last = now
        if scenario.distinct:
            if self.seen is None or self.level == 0.0:
                self.seen = set()
            if distinct in self.seen:
                return False
            self.seen.add(distinct)
        self.level += 1.0
        self.poured += 1
        if self.level > capacity:
            self.level = 0.0
            self.seen = None
            self.blackhole_until = now + scenario.blackhole
            return True
        return False

    def empty_at(self, now: float, leak: float) -> bool:
        return now >= self.blackhole_until and self.level - (now - self.last) / leak <= 0
