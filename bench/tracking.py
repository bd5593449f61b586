"""Public tracking lookups per second, as a ratio to a bare Django view on the same server,
at 10 000 and at 1 000 000 shipments.

Both URLs are served by one granian process group with the full Budstikke middleware (TLS,
shield, sessions, CSP) from a temporary SQLite database filled with bulk inserts; wrk on
loopback asks `/t/<number>` for random existing numbers, then `/bare` ("ok").

    uv run python bench/tracking.py [--seconds 8] [--sizes 10000,1000000]

Imported as a settings module (DJANGO_SETTINGS_MODULE=bench.tracking) it is the server's
configuration: the product's settings and URLs plus `/bare`.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if __name__ != "__main__":
    from django.http import HttpRequest, HttpResponse
    from django.urls import include, path

    from budstikke.settings import *  # noqa: F403

    ROOT_URLCONF = "bench.tracking"
    # One wrk client makes every lookup; the per-address limit would answer 429.
    TRACKING_LOOKUPS_PER_MINUTE = 10**9

    def bare(request: HttpRequest) -> HttpResponse:
        return HttpResponse(b"ok", content_type="text/plain")

    def __getattr__(name: str) -> object:
        """`urlpatterns`, built on first use: the product's URLs import models, which
        cannot happen while this module is still being read as the settings."""
        if name == "urlpatterns":
            return [path("bare", bare), path("", include("budstikke.urls"))]
        raise AttributeError(name)


def _populate(db: Path, total: int, rng: random.Random) -> list[str]:
    """Grow the shipment table to `total` rows by copying one real, encrypted shipment
    (same seal_id, so its ciphertext stays valid) under fresh tracking numbers, with one
    "created" event each. Returns a sample of existing numbers to look up."""
    from budstikke.shipments import numbers

    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    (current,) = connection.execute("SELECT COUNT(*) FROM shipments_shipment").fetchone()
    columns = [row[1] for row in connection.execute("PRAGMA table_info(shipments_shipment)")]
    template = connection.execute("SELECT * FROM shipments_shipment ORDER BY id LIMIT 1").fetchone()
    keep = [c for c in columns if c not in ("id", "tracking_number")]
    values = [template[columns.index(c)] for c in keep]
    prefix = template[columns.index("tracking_number")][:3]
    (max_id,) = connection.execute("SELECT MAX(id) FROM shipments_shipment").fetchone()
    insert = (
        f"INSERT INTO shipments_shipment (tracking_number, {', '.join(keep)}) "  # noqa: S608
        f"VALUES (?, {', '.join('?' * len(keep))})"
    )
    seen: set[str] = set()
    batch: list[list[object]] = []
    for _n in range(total - current):
        while True:
            digits = f"{rng.randrange(10**numbers.RANDOM_DIGITS):012d}"
            number = f"{prefix}{digits}{numbers.luhn_digit(digits)}"
            if number not in seen:
                seen.add(number)
                break
        batch.append([number, *values])
        if len(batch) == 50_000:
            connection.executemany(insert, batch)
            batch = []
    if batch:
        connection.executemany(insert, batch)
    event_columns = [
        row[1] for row in connection.execute("PRAGMA table_info(shipments_trackingevent)")
    ]
    copied = [c for c in event_columns if c not in ("id", "shipment_id")]
    connection.execute(
        f"INSERT INTO shipments_trackingevent ({', '.join(copied)}, shipment_id) "  # noqa: S608
        f"SELECT {', '.join('e.' + c for c in copied)}, s.id FROM shipments_shipment s "
        "JOIN shipments_trackingevent e ON e.id = (SELECT MIN(id) FROM shipments_trackingevent) "
        "WHERE s.id > ?",
        (max_id,),
    )
    connection.commit()
    sample = [
        row[0]
        for row in connection.execute(
            "SELECT tracking_number FROM shipments_shipment ORDER BY RANDOM() LIMIT 5000"
        )
    ]
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return sample


def _wrk(wrk: str, url: str, seconds: int, script: Path | None) -> float:
    argv = [wrk, "-t2", "-c16", f"-d{seconds}s"]
    if script is not None:
        argv += ["-s", str(script)]
    output = subprocess.run(
        [*argv, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    done = re.search(r"(\d+) requests in", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    failed = int(errors.group(1)) if errors else 0
    if rate is None or done is None or failed * 1000 > int(done.group(1)):
        raise SystemExit(f"wrk reported errors or no rate for {url}:\n{output}")
    if failed:
        print(f"  ({failed} of {done.group(1)} answers to {url.split('/')[3]} were not 2xx)")
    return float(rate.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    workdir = Path(tempfile.mkdtemp(prefix="budstikke-bench-tracking-"))
    try:
        _run(args, sizes, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(args: argparse.Namespace, sizes: list[int], workdir: Path) -> None:
    db = workdir / "bench.sqlite3"
    os.environ |= {
        "BUDSTIKKE_DATA_DIR": str(workdir),
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": "budstikke.settings",
        "LOG_LEVEL": "WARNING",
    }
    sys.path.insert(0, str(ROOT))
    from bench.report import result
    from bench.server import certificate, ensure_wrk, free_port, server_argv, wait_until_up

    wrk = ensure_wrk()
    cert, key = certificate(workdir / "tls")  # sets Django up
    from django.core.management import call_command

    from budstikke.shipments.testing import make_customer, make_shipment
    from budstikke.tenants.models import Tenant

    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.create(name="Bench Kurer", slug="bench-kurer")
    make_shipment(tenant, make_customer(tenant))
    rng = random.Random(7)

    print(f"{'shipments':>10}  {'tracking/s':>10}  {'bare/s':>8}  ratio")
    for size in sizes:
        started = time.perf_counter()
        sample = _populate(db, size, rng)
        filled = time.perf_counter() - started
        script = workdir / "paths.lua"
        script.write_text(
            "paths = {" + ",".join(f'"/t/{n}"' for n in sample) + "}\n"
            "i = 0\nrequest = function()\n  i = i + 1\n"
            "  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n"
        )
        port = free_port()
        environ = os.environ | {
            "DJANGO_SETTINGS_MODULE": "bench.tracking",
            "PYTHONPATH": str(ROOT),
            # wrk is one address asking thousands of times a second: the shield would ban it.
            "SHIELD_ALLOW_CIDRS": "127.0.0.1/32",
        }
        argv = server_argv("granian", port, args.workers, args.threads, cert, key)
        process = subprocess.Popen(
            argv, cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_until_up(port, process)
            base = f"https://127.0.0.1:{port}"
            _wrk(wrk, f"{base}/t/{sample[0]}", 2, script)  # warm up both
            _wrk(wrk, f"{base}/bare", 2, None)
            tracking = _wrk(wrk, f"{base}/t/{sample[0]}", args.seconds, script)
            bare = _wrk(wrk, f"{base}/bare", args.seconds, None)
        finally:
            process.terminate()
            process.wait(timeout=20)
        print(
            f"{size:>10}  {tracking:>10.0f}  {bare:>8.0f}  {tracking / bare:.2f}"
            f"   (filled in {filled:.0f} s)",
            flush=True,
        )
        result(
            "tracking",
            f"public tracking lookups at {size} shipments vs a bare view",
            tracking,
            unit="req/s",
            baseline=bare,
        )


if __name__ == "__main__":
    main()
