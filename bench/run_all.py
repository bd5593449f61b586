"""`make bench`: run every benchmark in `bench/` and print one table of their results.

A benchmark is a `bench/*.py` with a `__main__` block that is not one of the helper modules
below. Each runs in its own process with `BENCH_RESULTS` naming a file of its own, into which
`bench.report.result(...)` appends its measures; its human output streams through. A bench
that exits non-zero, runs past its time limit or reports nothing is a FAILED row, and the
others still run. Exit status: 1 if any bench failed (an unmet goal is a result, not a
failure).

    uv run python bench/run_all.py [--only NAME,...] [--timeout-minutes 15]

Every bench runs at its own default sizes; `make bench` took 5 minutes on an idle 2-core
machine (8 minutes while other work shared it).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench.report import Result, read  # noqa: E402

# Modules in bench/ that are not benchmarks: helpers, settings, and `make load`.
NOT_BENCHMARKS = {"__init__", "report", "trivial", "live", "load", "run_all"}
# Arguments `make bench` gives; a bench not named here runs with its own defaults (the sizes
# its goal names: 50 000 customers, 100 000 synced customers, 10 000 and 1 000 000
# shipments, a ~1 GB database).
ARGUMENTS: dict[str, list[str]] = {
    "server": ["--seconds", "8"],
}
_MAIN = re.compile(r"^if __name__ == .__main__.:", re.MULTILINE)


@dataclass
class Outcome:
    name: str
    seconds: float
    status: str
    results: list[Result] = field(default_factory=list)


def benchmarks() -> list[str]:
    return sorted(
        path.stem
        for path in BENCH.glob("*.py")
        if path.stem not in NOT_BENCHMARKS and _MAIN.search(path.read_text(encoding="utf-8"))
    )


def run(name: str, timeout: float, sink: Path) -> Outcome:
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    environ |= {"BENCH_RESULTS": str(sink), "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    argv = [sys.executable, str(BENCH / f"{name}.py"), *ARGUMENTS.get(name, [])]
    print(f"\n=== bench/{name}.py {' '.join(argv[2:])}", flush=True)
    started = time.monotonic()
    try:
        done = subprocess.run(argv, cwd=ROOT, env=environ, timeout=timeout, check=False)
        status = "ok" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
    except subprocess.TimeoutExpired:
        status = f"FAILED (over {timeout / 60:.0f} min)"
    seconds = time.monotonic() - started
    results = read(str(sink)) if sink.exists() else []
    if status == "ok" and not results:
        status = "FAILED (reported no result)"
    return Outcome(name, seconds, status, results)


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}".replace(",", " ")
    return f"{text} {unit}".rstrip()


def table(outcomes: list[Outcome]) -> str:
    header = ("bench", "measure", "Budstikke", "baseline", "ratio", "goal", "met")
    rows: list[tuple[str, ...]] = []
    for outcome in outcomes:
        for item in outcome.results:
            met = {True: "yes", False: "NO", None: "-"}[item.met]
            rows.append(
                (
                    item.bench,
                    item.measure,
                    _number(item.budstikke, item.unit),
                    _number(item.baseline, item.unit),
                    _number(item.ratio),
                    item.goal or "-",
                    met,
                )
            )
        if outcome.status != "ok":
            rows.append((outcome.name, outcome.status, "-", "-", "-", "-", "FAILED"))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated bench names")
    parser.add_argument("--timeout-minutes", type=float, default=15)
    args = parser.parse_args()
    names = benchmarks()
    if args.only:
        wanted = set(args.only.split(","))
        names = [name for name in names if name in wanted]
    started = time.monotonic()
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="budstikke-bench-results-") as tmp:
        for name in names:
            outcomes.append(run(name, args.timeout_minutes * 60, Path(tmp) / f"{name}.jsonl"))
    print("\n== make bench ==")
    print(table(outcomes))
    print()
    for outcome in outcomes:
        print(f"  {outcome.name:<10} {outcome.status:<28} {outcome.seconds:6.0f} s")
    failed = [outcome.name for outcome in outcomes if outcome.status != "ok"]
    print(
        f"total {time.monotonic() - started:.0f} s; {len(outcomes)} benches, {len(failed)} failed"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
