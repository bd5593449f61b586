"""The first `shield scan` loop, kept verbatim as the oracle the fast one must agree with.

It split and classified every line in full; `scan.Scanner` caches per address and per target
and must decide exactly the same bans, at the same lines, with the same counts.
"""

from __future__ import annotations

from collections.abc import Iterable

from budstikke.core.clientip import IPNetwork
from budstikke.shield import classify, networks
from budstikke.shield.scan import LOGIN_FAILED_STATUSES, LOGIN_PATHS, Decision, ScanResult, _Times
from budstikke.shield.scenarios import Bucket, Scenario, all_scenarios


class ReferenceScanner:
    def __init__(self, allowed: list[IPNetwork] | None = None) -> None:
        self.allowed = allowed or []
        self.by_kind: dict[str, list[Scenario]] = {}
        for scenario in all_scenarios():
            for kind in scenario.kinds:
                self.by_kind.setdefault(kind, []).append(scenario)
        self.buckets: dict[tuple[str, str], Bucket] = {}
        self.sources: dict[str, str | None] = {}
        self.decided: set[str] = set()
        self.times = _Times()
        self.result = ScanResult()

    def _source(self, text: str) -> str | None:
        try:
            return self.sources[text]
        except KeyError:
            key = networks.source_key(text)
            if key is not None and self.allowed and networks.contains(self.allowed, key):
                key = None
            self.sources[text] = key
            return key

    def _pour(self, kind: str, source: str, now: float, distinct: str, line: int) -> None:
        for scenario in self.by_kind.get(kind, ()):
            bucket_key = (scenario.name, source)
            bucket = self.buckets.get(bucket_key)
            if bucket is None:
                bucket = self.buckets[bucket_key] = Bucket()
            value = distinct if scenario.distinct else None
            if bucket.pour(scenario, scenario.capacity_for(source), now, value):
                self.decided.add(source)
                self.result.decisions.append(Decision(source, scenario, now, line, bucket.poured))
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

    def feed(self, lines: Iterable[str]) -> ScanResult:  # noqa: PLR0912 - one hot loop
        result = self.result
        pour = self._pour
        decided = self.decided
        sources = self.sources
        flood = self.by_kind.get("request", [None])[0]
        flood_leak = flood.leak if flood is not None else 1.0
        flood_levels: dict[str, list[float]] = {}
        path_triggers = classify.PATH_TRIGGERS.search
        has_injection = classify.has_injection
        is_exploit_path = classify.is_exploit_path
        last_stamp, now = "", 0.0
        number = result.lines
        for line in lines:
            number += 1
            parts = line.split(" ", 9)
            if (
                len(parts) > 8
                and parts[3][:1] == "["
                and parts[5][:1] == '"'
                and parts[7][-1:] == '"'
            ):
                address, method, target, status_text = parts[0], parts[5][1:], parts[6], parts[8]
                stamp = parts[3]
                if stamp != last_stamp:
                    try:
                        now = self.times.parse(stamp[1:] + " " + parts[4][:-1])
                    except (KeyError, ValueError):
                        result.unparsed += 1
                        continue
                    last_stamp = stamp
            else:
                fields = self._slow_fields(line)
                if fields is None:
                    result.unparsed += 1
                    continue
                address, stamp, method, target, status_text = fields
                try:
                    now = self.times.parse(stamp)
                except (KeyError, ValueError):
                    result.unparsed += 1
                    continue
                last_stamp = ""
            source = sources.get(address)
            if source is None:
                if address in sources:
                    continue
                source = self._source(address)
                if source is None:
                    continue
            if source in decided:
                continue
            if flood is not None:
                level = flood_levels.get(source)
                if level is None:
                    flood_levels[source] = [1.0, now, flood.capacity_for(source)]
                else:
                    drained = level[0] - (now - level[1]) / flood_leak
                    level[0] = (drained if drained > 0 else 0.0) + 1.0
                    level[1] = now
                    if level[0] > level[2]:
                        decided.add(source)
                        result.decisions.append(Decision(source, flood, now, number, int(level[0])))
                        continue
            question = target.find("?")
            if question < 0:
                path, query = target, ""
                if path_triggers(path) is not None and has_injection(path, query):
                    pour("injection", source, now, path, number)
            else:
                path, query = target[:question], target[question + 1 :]
                if has_injection(path, query):
                    pour("injection", source, now, path, number)
            first = status_text[:1]
            if first in ("4", "5"):
                try:
                    status = int(status_text)
                except ValueError:
                    result.unparsed += 1
                    continue
                if status != 429:
                    if is_exploit_path(path):
                        pour("exploit_probe", source, now, path, number)
                    elif status == 404:
                        if path.startswith("/t/"):
                            pour("tracking_lookup_failed", source, now, path, number)
                        if not path.startswith("/static/"):
                            pour("not_found", source, now, path, number)
                    if status in (401, 403) and path.startswith("/api/"):
                        pour("api_key_failed", source, now, path, number)
            if method == "POST" and path in LOGIN_PATHS and status_text in LOGIN_FAILED_STATUSES:
                pour("login_failed", source, now, "", number)
        result.lines = number
        return result
