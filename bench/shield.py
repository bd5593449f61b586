"""Shield performance, as three ratios (issue 9's goals in brackets):

1. middleware overhead on a normal request: full stack with the shield / without  [< 1.03]
2. a banned request's cost relative to a normal one                               [< 0.10]
3. `shield scan` throughput relative to `fail2ban-regex` on the same generated
   1,000,000-line combined log with equivalent rules                              [>= 10]

Each ratio is stated through `bench.report.result` (so `make bench` tables it) after the
human-readable lines.

Requests go through Django's WSGI handler in-process (no sockets), interleaving rounds
with and without the shield so machine noise hits both. The "normal request" is a rendered
page (the home page's template, with the whole middleware stack); the same two ratios
against a view that returns two bytes are printed too, as the worst case. fail2ban comes
from Debian (the script installs it when missing); its run is bounded in time and, if it
cannot finish the whole log within the bound, its rate is measured on the first 100,000
lines. Both throughputs count processing only, by CPU time so that other work on the
machine does not tilt the ratio (each tool runs on one core): the scan's `Scanner.feed` over
the file in this process, and fail2ban-regex's CPU time less that of the same run over a
one-line log (its start-up). The clock rates are printed beside them.

fail2ban's filter is built from the same data files as the scan (`exploit-paths.txt`,
`injection-signatures.txt`) and holds the same per-line rules: exploit paths on a 4xx other
than 429, injection signatures in the target (spaces as `+` or `%20`: fail2ban cannot
URL-decode), 404s outside `/static/` (tracking misses under `/t/` are among them), 401/403
under `/api/`, and failed `POST /accounts/login/`. It uses `prefregex`, fail2ban's own way
to read the shared prefix once. The scan also counts every request of every address for
request floods; fail2ban would need a second filter matching every line for that, which is
left out, so fail2ban does less work than the scan. Run:
`uv run python bench/shield.py [--lines N]`.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
FAIL2BAN_TIMEOUT = 300
FAIL2BAN_SAMPLE = 100_000

PROCESSED = re.compile(r"\[processed in ([0-9.]+) sec\]")


def _alternation(items: Any) -> str:
    return "|".join(re.escape(item) for item in sorted(items, key=lambda text: (-len(text), text)))


def fail2ban_filter() -> str:
    """The scan's per-line rules as one fail2ban filter, from the same data files.

    fail2ban cuts the date out of the line before it applies the regular expressions, so the
    prefix reads an empty `[]` where the time was. The host is the first field, as in the scan.
    """
    from budstikke.shield import classify

    rules = classify.exploit_rules()
    exceptions = _alternation(entry[1:] for entry in rules.exceptions if entry.startswith("."))
    hidden = rf"|\.(?!(?:{exceptions}|\.?)[/?\" ])" if rules.hidden else ""
    probe = (
        r'[^" ?]*/(?i:(?:' + _alternation(rules.segments) + r')(?=[/?" ])' + hidden
        + r'|[^/" ?]*(?:' + _alternation(rules.extensions) + r')(?=[?" ]))'
    )  # fmt: skip
    signatures = "|".join(
        r"(?:\+|%20)+".join(re.escape(word) for word in signature.split(" "))
        for signature in sorted(classify.injection_signatures(), key=len, reverse=True)
    )
    request, version = r'^"[A-Z]+ ', r' HTTP/[0-9.]+" '
    failregex = [
        request + probe + r'[^" ]*' + version + r"4(?!29)[0-9][0-9] ",
        request + r'[^" ]*?(?i:' + signatures + ")",
        request + r'(?!/static/)[^" ]*' + version + "404 ",
        request + r'/api/[^" ]*' + version + "40[13] ",
        r'^"POST /accounts/login/' + version + "(?:200|400|429) ",
    ]
    lines = [
        "[Definition]",
        r"prefregex = ^<HOST> \S+ \S+ \[[^\]]*\] <F-CONTENT>.+</F-CONTENT>$",
        "failregex = " + "\n            ".join(failregex),
        "ignoreregex =",
        "datepattern = %d/%b/%Y:%H:%M:%S %z",
        "",
    ]
    return "\n".join(line.replace("%", "%%") for line in lines)


def setup_django(data_dir: Path) -> None:
    os.environ["BUDSTIKKE_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.trivial"
    os.environ["SHIELD_SECURITY_LOG"] = "off"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def page(request: Any) -> Any:
    from django.shortcuts import render

    return render(request, "home.html")


def trivial(request: Any) -> Any:
    from django.http import HttpResponse

    return HttpResponse(b"ok", content_type="text/plain")


def _urls() -> Any:
    import types

    from django.urls import include, path

    module = types.ModuleType("bench_shield_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("", page),
        path("trivial", trivial),
        path("i18n/", include("django.conf.urls.i18n")),
    ]
    return module


def _environ(address: str, path: str = "/") -> dict[str, Any]:
    from django.test import RequestFactory

    request = RequestFactory().get(path, secure=True, REMOTE_ADDR=address, HTTP_HOST="localhost")
    return dict(request.environ)


def _time(handler: Any, environs: list[dict[str, Any]]) -> float:
    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        return None

    started = time.perf_counter()
    for environ in environs:
        for _ in handler(dict(environ), start_response):
            pass
    return (time.perf_counter() - started) / len(environs)


class Requests(NamedTuple):
    """Each ratio is the median over the rounds, with the times of the round that gave it."""

    normal: float  # seconds per request, with the shield
    without_shield: float
    overhead: float  # normal / without_shield
    banned: float
    normal_beside_banned: float
    banned_ratio: float  # banned / normal_beside_banned


def _middle(ratios: list[float]) -> int:
    """The round whose ratio is the median (the lower one for an even count)."""
    return sorted(range(len(ratios)), key=ratios.__getitem__)[(len(ratios) - 1) // 2]


def measure_requests(rounds: int, per_round: int, target: str) -> Requests:
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    from budstikke.shield import enforcement

    settings.ROOT_URLCONF = _urls()
    middleware = list(settings.MIDDLEWARE)
    with_shield = WSGIHandler()
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "shield" not in m]
    without_shield = WSGIHandler()
    # Many clients, as in real traffic (one address sending this fast is a flood).
    settings.MIDDLEWARE = middleware
    normal = [_environ(f"198.18.{n // 250}.{n % 250 + 1}", target) for n in range(per_round)]
    enforcement.add("198.19.0.1", time.time() + 3600)
    banned = [_environ("198.19.0.1", target) for _ in range(per_round)]
    _time(with_shield, normal[:200])
    _time(without_shield, normal[:200])
    ons: list[float] = []
    offs: list[float] = []
    refusals: list[float] = []
    overhead: list[float] = []
    banned_ratio: list[float] = []
    for _ in range(rounds):
        off = _time(without_shield, normal)
        on = _time(with_shield, normal)
        refused = _time(with_shield, banned)
        ons.append(on)
        offs.append(off)
        refusals.append(refused)
        overhead.append(on / off)
        banned_ratio.append(refused / on)
    i, j = _middle(overhead), _middle(banned_ratio)
    return Requests(ons[i], offs[i], overhead[i], refusals[j], ons[j], banned_ratio[j])


def generate_log(path: Path, lines: int) -> None:
    rng = random.Random(9)
    pages = ["/", "/accounts/login/", "/static/budstikke/app.css", "/t/BS12345678", "/dashboard/"]
    probes = ["/.env", "/wp-login.php", "/.git/config", "/phpmyadmin/", "/xmlrpc.php", "/a.php"]
    start = 1_795_000_000
    with path.open("w", encoding="utf-8") as out:
        for n in range(lines):
            stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(start + n // 20))
            roll = rng.random()
            ip = f"198.18.{rng.randrange(64)}.{rng.randrange(1, 255)}"
            method, status = "GET", 200
            if roll < 0.01:
                ip, path_ = f"203.0.113.{rng.randrange(1, 6)}", rng.choice(probes)
                status = 404
            elif roll < 0.02:
                ip, path_, method = f"192.0.2.{rng.randrange(1, 4)}", "/accounts/login/", "POST"
            elif roll < 0.04:
                path_, status = f"/missing-{rng.randrange(1000)}", 404
            else:
                path_ = rng.choice(pages)
            out.write(
                f'{ip} - - [{stamp}] "{method} {path_} HTTP/1.1" {status} '
                f"{rng.randrange(200, 9000)}"
                f' "https://budstikke.example/" "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"\n'
            )


def ensure_fail2ban() -> str:
    found = shutil.which("fail2ban-regex")
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "fail2ban"],
        check=True,
        env=env,
    )
    found = shutil.which("fail2ban-regex")
    if not found:
        raise SystemExit("fail2ban-regex is not available after installing fail2ban")
    return found


class Throughput(NamedTuple):
    """Lines per second by CPU time (the figure compared) and by the clock (shown)."""

    cpu: float
    wall: float


class Fail2ban(NamedTuple):
    rate: Throughput
    span: str
    matched: str


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_fail2ban(command: list[str]) -> tuple[float, float, str]:
    """CPU seconds, clock seconds (its own "processed in" when printed) and its summary."""
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(
        command, check=True, capture_output=True, text=True, timeout=FAIL2BAN_TIMEOUT
    )
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu
    processed = PROCESSED.search(done.stdout)
    if processed is not None and float(processed.group(1)) > 0:
        wall = float(processed.group(1))
    summary = next((row for row in done.stdout.splitlines() if row.startswith("Lines:")), "")
    return cpu, wall, summary.removeprefix("Lines: ")


def _fail2ban_rate(command: list[str], log: Path, lines: int, work: Path) -> tuple[Throughput, str]:
    """fail2ban-regex over `log`, less the CPU its start-up costs on a one-line log."""
    one = work / "one.log"
    with log.open(encoding="utf-8") as source:
        one.write_text(source.readline(), encoding="utf-8")
    start_up, _, _ = _run_fail2ban([*command[:-2], str(one), command[-1]])
    cpu, wall, matched = _run_fail2ban([*command[:-2], str(log), command[-1]])
    return Throughput(lines / max(cpu - start_up, 1e-9), lines / wall), matched


def time_fail2ban(binary: str, log: Path, work: Path, lines: int) -> Fail2ban:
    conf = work / "budstikke-bench.conf"
    conf.write_text(fail2ban_filter(), encoding="utf-8")
    command = [binary, "--print-no-missed", str(log), str(conf)]
    try:
        rate, matched = _fail2ban_rate(command, log, lines, work)
        return Fail2ban(rate, f"all {lines:,} lines", matched)
    except subprocess.TimeoutExpired:
        pass
    sample = work / "sample.log"
    with log.open(encoding="utf-8") as source, sample.open("w", encoding="utf-8") as out:
        for n, line in enumerate(source):
            if n >= FAIL2BAN_SAMPLE:
                break
            out.write(line)
    rate, matched = _fail2ban_rate(command, sample, FAIL2BAN_SAMPLE, work)
    return Fail2ban(rate, f"first {FAIL2BAN_SAMPLE:,} lines (full log exceeded the bound)", matched)


def time_scan(log: Path) -> tuple[Throughput, int]:
    from budstikke.shield.scan import Scanner

    cpu, started = time.process_time(), time.perf_counter()
    with log.open(encoding="utf-8", errors="replace") as handle:
        result = Scanner().feed(handle)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return Throughput(result.lines / cpu, result.lines / wall), len(result.decisions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-shield-") as tmp:
        work = Path(tmp)
        setup_django(work / "data")
        page = measure_requests(args.rounds, args.requests, "/")
        raw = measure_requests(args.rounds, args.requests, "/trivial")
        log = work / "access.log"
        generate_log(log, args.lines)
        scan_rate, decisions = time_scan(log)
        f2b = time_fail2ban(ensure_fail2ban(), log, work, args.lines)
    scan_ratio = scan_rate.cpu / f2b.rate.cpu
    wall_ratio = scan_rate.wall / f2b.rate.wall
    print(f"middleware overhead (with/without shield):   {page.overhead:.3f}  (goal < 1.03)")
    print(f"banned request / normal request:             {page.banned_ratio:.3f}  (goal < 0.10)")
    print(
        f"  (against a two-byte view: overhead {raw.overhead:.3f}, banned {raw.banned_ratio:.3f})"
    )
    print(
        f"shield scan / fail2ban-regex throughput:     {scan_ratio:.1f}x  (goal >= 10)"
        f"  [{scan_rate.cpu:,.0f} vs {f2b.rate.cpu:,.0f} lines per CPU second; by the clock "
        f"{scan_rate.wall:,.0f} vs {f2b.rate.wall:,.0f} lines/s, {wall_ratio:.1f}x; "
        f"fail2ban on {f2b.span}; {decisions} decisions; fail2ban: {f2b.matched}]"
    )
    from bench.report import result

    result(
        "shield",
        "middleware overhead on a rendered page, with / without the shield",
        page.normal * 1e6,
        unit="us/request",
        baseline=page.without_shield * 1e6,
        ratio=page.overhead,
        goal="< 1.03",
        met=page.overhead < 1.03,
    )
    result(
        "shield",
        "banned request / normal request",
        page.banned * 1e6,
        unit="us/request",
        baseline=page.normal_beside_banned * 1e6,
        ratio=page.banned_ratio,
        goal="< 0.10",
        met=page.banned_ratio < 0.10,
    )
    result(
        "shield",
        f"shield scan / fail2ban-regex throughput, {args.lines:,}-line combined log",
        scan_rate.cpu,
        unit="lines/CPU s",
        baseline=f2b.rate.cpu,
        ratio=scan_ratio,
        goal=">= 10",
        met=scan_ratio >= 10,
    )


if __name__ == "__main__":
    main()
