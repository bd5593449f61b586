"""One way for every benchmark to state a result, so `make bench` can print them as one table.

Each `bench/*.py` calls `result(...)` once per measure. The line is printed for a reader of
that script alone; when `BENCH_RESULTS` names a file (as `make bench` does), the same result
is appended to it as one JSON object per line.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Result:
    bench: str
    measure: str
    budstikke: float
    baseline: float | None
    unit: str
    ratio: float | None
    goal: str
    met: bool | None

    def line(self) -> str:
        base = "" if self.baseline is None else f", baseline {self.baseline:.4g} {self.unit}"
        ratio = "" if self.ratio is None else f", ratio {self.ratio:.3g}"
        verdict = {True: "met", False: "NOT met", None: "no goal"}[self.met]
        return (
            f"[{self.bench}] {self.measure}: {self.budstikke:.4g} {self.unit}{base}{ratio}"
            f" (goal {self.goal or '-'}: {verdict})"
        )


def result(
    bench: str,
    measure: str,
    budstikke: float,
    *,
    unit: str,
    baseline: float | None = None,
    ratio: float | None = None,
    goal: str = "",
    met: bool | None = None,
) -> Result:
    """Print one measure and record it for the table. `ratio` defaults to
    budstikke / baseline when a baseline is given."""
    if ratio is None and baseline:
        ratio = budstikke / baseline
    outcome = Result(bench, measure, budstikke, baseline, unit, ratio, goal, met)
    print(outcome.line(), flush=True)
    target = os.environ.get("BENCH_RESULTS")
    if target:
        with open(target, "a", encoding="utf-8") as sink:
            sink.write(json.dumps(asdict(outcome)) + "\n")
    return outcome


def read(path: str) -> list[Result]:
    with open(path, encoding="utf-8") as source:
        return [Result(**json.loads(line)) for line in source if line.strip()]
