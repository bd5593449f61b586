"""Shield performance, as three ratios (issue 9's goals in brackets):

1. middleware overhead on a normal request: full stack with the shield / without  [< 1.03]
2. a banned request's cost relative to a normal one                               [< 0.10]
3. `shield scan` throughput relative to `fail2ban-regex` on the same generated
   1,000,000-line combined log with equivalent rules                              [>= 10]

Requests go through Django's WSGI handler in-process (no sockets), interleaving rounds
with and without the shield so machine noise hits both. The "normal request" is a rendered
page (the home page's template, with the whole middleware stack); the same two ratios
against a view that returns two bytes are printed too, as the worst case. fail2ban comes
from Debian (the script installs it when missing); its run is bounded in time and, if it
cannot finish the whole log within the bound, its rate is measured on the first 100,000
lines. Run:
`uv run python bench/shield.py [--lines N]`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FAIL2BAN_TIMEOUT = 300
FAIL2BAN_SAMPLE = 100_000

# The exploit/login rules expressed for fail2ban: anchored, the host first.
_EXPLOIT = (
    r"(?:\.[a-z][^/\" ]*|wp-admin|wp-login\.php|wp-content|xmlrpc\.php|phpmyadmin|cgi-bin"
    r"|actuator|boaform|[^/\" ]+\.php)"
)
_PREFIX = r"^<HOST> \S+ \S+ \[[^\]]+\] "
FAIL2BAN_FILTER = "\n".join(
    [
        "[Definition]",
        "failregex = "
        + _PREFIX
        + r'"(?:GET|POST|HEAD) /(?:[^" ]*/)?'
        + _EXPLOIT
        + r'(?:[/?][^" ]*)? HTTP/[0-9.]+" 40[0-9] ',
        "            " + _PREFIX + r'"POST /accounts/login/ HTTP/[0-9.]+" (?:200|400|429) ',
        "            "
        + _PREFIX
        + r'"GET [^" ]*(?:\.\./|%%2e%%2e|<script|union(?:\s|\+|%%20)+select)',
        "ignoreregex =",
        "datepattern = %%d/%%b/%%Y:%%H:%%M:%%S %%z",
        "",
    ]
)


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


def measure_requests(rounds: int, per_round: int, target: str) -> tuple[float, float]:
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
    overhead: list[float] = []
    banned_ratio: list[float] = []
    for _ in range(rounds):
        off = _time(without_shield, normal)
        on = _time(with_shield, normal)
        refused = _time(with_shield, banned)
        overhead.append(on / off)
        banned_ratio.append(refused / on)
    return statistics.median(overhead), statistics.median(banned_ratio)


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


def time_fail2ban(binary: str, log: Path, work: Path, lines: int) -> tuple[float, str]:
    conf = work / "budstikke-bench.conf"
    conf.write_text(FAIL2BAN_FILTER, encoding="utf-8")
    command = [binary, "--print-no-missed", str(log), str(conf)]
    started = time.perf_counter()
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=FAIL2BAN_TIMEOUT)
        return lines / (time.perf_counter() - started), f"all {lines:,} lines"
    except subprocess.TimeoutExpired:
        pass
    sample = work / "sample.log"
    with log.open(encoding="utf-8") as source, sample.open("w", encoding="utf-8") as out:
        for n, line in enumerate(source):
            if n >= FAIL2BAN_SAMPLE:
                break
            out.write(line)
    command[2] = str(sample)
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, timeout=FAIL2BAN_TIMEOUT)
    elapsed = time.perf_counter() - started
    return (
        FAIL2BAN_SAMPLE / elapsed,
        f"first {FAIL2BAN_SAMPLE:,} lines (full log exceeded the bound)",
    )


def time_scan(log: Path) -> tuple[float, int]:
    from budstikke.shield.scan import Scanner

    started = time.perf_counter()
    with log.open(encoding="utf-8", errors="replace") as handle:
        result = Scanner().feed(handle)
    return result.lines / (time.perf_counter() - started), len(result.decisions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-shield-") as tmp:
        work = Path(tmp)
        setup_django(work / "data")
        overhead, banned = measure_requests(args.rounds, args.requests, "/")
        raw_overhead, raw_banned = measure_requests(args.rounds, args.requests, "/trivial")
        log = work / "access.log"
        generate_log(log, args.lines)
        scan_rate, decisions = time_scan(log)
        f2b_rate, f2b_span = time_fail2ban(ensure_fail2ban(), log, work, args.lines)
    print(f"middleware overhead (with/without shield):   {overhead:.3f}  (goal < 1.03)")
    print(f"banned request / normal request:             {banned:.3f}  (goal < 0.10)")
    print(f"  (against a two-byte view: overhead {raw_overhead:.3f}, banned {raw_banned:.3f})")
    print(
        f"shield scan / fail2ban-regex throughput:     {scan_rate / f2b_rate:.1f}x  (goal >= 10)"
        f"  [{scan_rate:,.0f} vs {f2b_rate:,.0f} lines/s; fail2ban on {f2b_span}; "
        f"{decisions} decisions]"
    )


if __name__ == "__main__":
    main()
