"""`shield scan`: the same scenarios over nginx/Apache combined access logs.

Each line is split by position (address, [time], "request", status) with one str.split, not
by a regular expression, and the address is only ever the first field: nothing a client puts
in the request line, referrer or user agent can name the address that gets banned.

Speed comes from doing per distinct value what needs doing only once: the source of an
address (with its decision and request-flood bucket) and the meaning of a request target are
looked up, not recomputed, and a timestamp is parsed once per minute of log. The decisions
are those of the plain line-by-line loop (`tests/scan_reference.py` keeps it as the oracle).
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from budstikke.core.clientip import IPNetwork
from budstikke.shield import classify, networks
from budstikke.shield.scenarios import Bucket, Scenario, all_scenarios

LOGIN_PATHS = ("/accounts/login/",)
LOGIN_FAILED_STATUSES = frozenset({"200", "400", "429"})
MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


@dataclass
class Decision:
    source: str
    scenario: Scenario
    at: float
    line: int
    poured: int

    def describe(self) -> str:
        when = datetime.fromtimestamp(self.at).astimezone().isoformat(timespec="seconds")
        return (
            f"ban {self.source} scenario={self.scenario.name} at={when} "
            f"line={self.line} events={self.poured}"
        )


@dataclass
class ScanResult:
    lines: int = 0
    unparsed: int = 0
    decisions: list[Decision] = field(default_factory=list)


class _Times:
    """Timestamps by minute: strptime once per minute of log, not once per line."""

    def __init__(self) -> None:
        self.minutes: dict[str, float] = {}

    def parse(self, text: str) -> float:
        # 10/Oct/2000:13:55:36 -0700
        minute_key = text[:17] + text[20:]
        base = self.minutes.get(minute_key)
        if base is None:
            day, month, rest = text[:2], text[3:6], text[7:]
            stamp = datetime.strptime(
                f"{day}/{MONTHS[month]:02d}/{rest[:11]}00{rest[13:]}", "%d/%m/%Y:%H:%M:%S %z"
            )
            base = self.minutes[minute_key] = stamp.timestamp()
        return base + int(text[18:20])


class _Source:
    """Everything the scan keeps per source, behind one dictionary lookup per line: the ban
    key, whether it is decided, and the request-flood bucket (the same arithmetic as
    `Bucket.pour`, inlined because it runs for every line)."""

    __slots__ = ("capacity", "decided", "key", "last", "level")

    def __init__(self, key: str, capacity: int, *, decided: bool = False) -> None:
        self.key = key
        self.decided = decided
        self.capacity = capacity
        self.level = 0.0
        self.last = -math.inf


# Sources the scan never decides on: junk in the address field, allow-listed networks.
_IGNORED = _Source("", 0, decided=True)


class _Target(NamedTuple):
    """What a request target means to the detectors; a pure function of the target text,
    so it is computed once per distinct target."""

    path: str
    injection: bool
    exploit: bool
    tracking: bool
    outside_static: bool
    api: bool
    login: bool


def _target(target: str) -> _Target:
    question = target.find("?")
    if question < 0:
        path, query = target, ""
    else:
        path, query = target[:question], target[question + 1 :]
    return _Target(
        path,
        classify.has_injection(path, query),
        classify.is_exploit_path(path),
        path.startswith("/t/"),
        not path.startswith("/static/"),
        path.startswith("/api/"),
        path in LOGIN_PATHS,
    )


class Scanner:
    TARGET_CACHE = 65536

    def __init__(self, allowed: list[IPNetwork] | None = None) -> None:
        self.allowed = allowed or []
        self.by_kind: dict[str, list[Scenario]] = {}
        for scenario in all_scenarios():
            for kind in scenario.kinds:
                self.by_kind.setdefault(kind, []).append(scenario)
        self.flood: Scenario | None = self.by_kind.get("request", [None])[0]
        self.buckets: dict[tuple[str, str], Bucket] = {}
        self.addresses: dict[str, _Source] = {}
        self.sources: dict[str, _Source] = {}
        self.targets: dict[str, _Target] = {}
        # Targets that feed a detector only through their status (no injection, no login).
        self.plain: set[str] = set()
        self.times = _Times()
        self.result = ScanResult()

    def _source(self, address: str) -> _Source:
        key = networks.source_key(address)
        if key is None or (self.allowed and networks.contains(self.allowed, key)):
            source = _IGNORED
        elif key in self.sources:
            source = self.sources[key]
        else:
            capacity = self.flood.capacity_for(key) if self.flood is not None else 0
            source = self.sources[key] = _Source(key, capacity)
        self.addresses[address] = source
        return source

    def _classify(self, target: str) -> _Target:
        if len(self.targets) >= self.TARGET_CACHE:
            self.targets.clear()
            self.plain.clear()
        info = self.targets[target] = _target(target)
        if not info.injection and not info.login:
            self.plain.add(target)
        return info

    def _pour(self, kind: str, source: _Source, now: float, distinct: str, line: int) -> None:
        for scenario in self.by_kind.get(kind, ()):
            bucket_key = (scenario.name, source.key)
            bucket = self.buckets.get(bucket_key)
            if bucket is None:
                bucket = self.buckets[bucket_key] = Bucket()
            value = distinct if scenario.distinct else None
            if bucket.pour(scenario, scenario.capacity_for(source.key), now, value):
                source.decided = True
                self.result.decisions.append(
                    Decision(source.key, scenario, now, line, bucket.poured)
                )
                return

    def _slow_fields(self, line: str) -> tuple[str, str, str, str, str] | None:
        """(address, time, method, target, status) of a line the fast split cannot read
        (spaces in the user field, quotes in the request)."""
        space = line.find(" ")
        open_bracket = line.find("[", space)
        close_bracket = line.find("]", open_bracket)
        quote = line.find('"', close_bracket)
        end = line.find('" ', quote + 1)
        while end != -1 and not line[end + 2 : end + 5].isdigit():
            end = line.find('" ', end + 1)
        if min(space, open_bracket, close_bracket, quote, end) <= 0:
            return None
        method, _, target = line[quote + 1 : end].partition(" ")
        target = target.rpartition(" HTTP/")[0] or target
        return (
            line[:space],
            line[open_bracket + 1 : close_bracket],
            method,
            target,
            line[end + 2 : end + 5],
        )

    def feed(self, lines: Iterable[str]) -> ScanResult:
        """Run the detectors over `lines` in order.

        An ordinary line costs one split, one lookup of its address (source, decision and
        flood bucket together) and one of its request target (classified once per distinct
        target); only lines whose target or status can feed a detector go further. The loop
        makes a list per line and no reference cycles, so the cyclic garbage collector is
        paused meanwhile: it would only walk the whole heap again every few hundred lines.
        """
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._feed(lines)
        finally:
            if paused:
                gc.enable()

    def _feed(self, lines: Iterable[str]) -> ScanResult:  # noqa: PLR0912, PLR0915 - one hot loop
        result = self.result
        pour = self._pour
        addresses_get = self.addresses.get
        targets_get = self.targets.get
        plain = self.plain
        parse_time = self.times.parse
        flood = self.flood
        flood_leak = flood.leak if flood is not None else 1.0
        last_stamp, now = "", 0.0
        number = result.lines
        unparsed = result.unparsed
        for number, line in enumerate(lines, result.lines + 1):
            parts = line.split(" ", 9)
            try:
                address, _, _, stamp, zone, request, target, version, status_text, _ = parts
            except ValueError:
                if len(parts) == 9:
                    address, _, _, stamp, zone, request, target, version, status_text = parts
                else:
                    stamp = request = version = ""
            if stamp[:1] == "[" and request[:1] == '"' and version[-1:] == '"':
                if stamp != last_stamp:
                    try:
                        now = parse_time(stamp[1:] + " " + zone[:-1])
                    except (KeyError, ValueError):
                        unparsed += 1
                        continue
                    last_stamp = stamp
            else:
                fields = self._slow_fields(line)
                if fields is None:
                    unparsed += 1
                    continue
                address, stamp, method, target, status_text = fields
                request = '"' + method
                try:
                    now = parse_time(stamp)
                except (KeyError, ValueError):
                    unparsed += 1
                    continue
                last_stamp = ""
            source = addresses_get(address)
            if source is None:
                source = self._source(address)
            if source.decided:
                continue
            if flood is not None:
                drained = source.level - (now - source.last) / flood_leak
                level = source.level = (drained if drained > 0 else 0.0) + 1.0
                source.last = now
                if level > source.capacity:
                    source.decided = True
                    result.decisions.append(Decision(source.key, flood, now, number, int(level)))
                    continue
            first = status_text[:1]
            if first not in {"4", "5"} and target in plain:
                continue
            info = targets_get(target)
            if info is None:
                info = self._classify(target)
            if info.injection:
                pour("injection", source, now, info.path, number)
            if first in {"4", "5"}:
                try:
                    status = int(status_text)
                except ValueError:
                    unparsed += 1
                    continue
                if status != 429:
                    if info.exploit:
                        pour("exploit_probe", source, now, info.path, number)
                    elif status == 404:
                        if info.tracking:
                            pour("tracking_lookup_failed", source, now, info.path, number)
                        if info.outside_static:
                            pour("not_found", source, now, info.path, number)
                    if info.api and status in {401, 403}:
                        pour("api_key_failed", source, now, info.path, number)
            if info.login and request == '"POST' and status_text in LOGIN_FAILED_STATUSES:
                pour("login_failed", source, now, "", number)
        result.lines = number
        result.unparsed = unparsed
        return result
