"""`make load`: Budstikke on PostgreSQL and Redis under 60 s of concurrent traffic from wrk.

Starts web + worker as `make run` does (`manage.py serve`, own data directory and port,
loopback only) on a PostgreSQL database of its own (recreated) and a Redis database number
of its own (flushed): RedisHuey for the queue, Redis for the cache and the shared ban set.
Seeds a tenant with shipments and API keys, then two wrk processes at the same time:

- recipients: `GET /t/<number>` for random existing tracking numbers;
- shippers: `POST /api/v1/shipments`, each request with one of the API keys.

Prints requests, throughput, p50/p99 latency and errors per stream (goal: zero errors), and
checks afterwards that every 201 is a shipment in the database and that no address was banned.

Where the traffic comes from: one wrk process on loopback stands for many people. It plays a
load balancer in front of the web nodes, as in production: the server trusts loopback as a
proxy (`TRUSTED_PROXY_CIDRS`) and each request names its client in `X-Forwarded-For`: a random
recipient address, or the shipper's own address (one per key), all from 198.18.0.0/15 (the
range reserved for benchmarks; only a header, nothing is sent there). Without that, the one
address would be one recipient making thousands of lookups a second (rate-limited at 30 a
minute, and rightly banned as a flood), and one shipper key is limited to 600 requests a minute.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bsk_load REDIS_URL=redis://127.0.0.1:6379/12 \\
        uv run python bench/load.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.live import LiveServer  # noqa: E402

BODY = {
    "customer_number": 1001,
    "recipient_name": "Mette Mogensen",
    "recipient_phone": "20123456",
    "delivery_address": "Vesterbrogade 10",
    "delivery_postcode": "1620",
    "delivery_city": "København V",
    "reference": "LOAD",
    "parcels": [{"weight_kg": "2.5"}],
}

TRACKING_LUA = """
numbers = {%s}
request = function()
  local ip = "198.18." .. math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format("GET", "/t/" .. numbers[math.random(#numbers)], {["X-Forwarded-For"] = ip})
end
"""

API_LUA = """
keys = {%s}
body = %s
request = function()
  local i = math.random(#keys)
  return wrk.format("POST", "/api/v1/shipments", {
    ["Authorization"] = "Bearer " .. keys[i],
    ["Content-Type"] = "application/json",
    ["X-Forwarded-For"] = "198.19.0." .. i,
  }, body)
end
"""


@dataclass
class Stream:
    name: str
    requests: int
    seconds: float
    rate: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse(name: str, output: str) -> Stream:
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (done and rate and p50 and p99):
        raise SystemExit(f"wrk ({name}) printed no figures:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return Stream(
        name=name,
        requests=int(done.group(1)),
        seconds=_ms(done.group(2) + done.group(3)) / 1000,
        rate=float(rate.group(1)),
        p50_ms=_ms(p50.group(1)),
        p99_ms=_ms(p99.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


def fresh_database(url: str) -> None:
    """Drop and create the load test's own database (never the one `make test` uses)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"bsk_load\w*", name):
        raise SystemExit(f"refusing to recreate {name!r}: the load test's database is bsk_load…")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def fresh_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    if client.connection_pool.connection_kwargs.get("db", 0) == 0:
        raise SystemExit("give the load test a Redis database number of its own (not 0)")
    client.flushdb()


def counts(url: str) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(url) as connection:
        shipments = connection.execute("SELECT count(*) FROM shipments_shipment").fetchone()
        bans = connection.execute("SELECT count(*) FROM shield_ban").fetchone()
    assert shipments is not None
    assert bans is not None
    return int(shipments[0]), int(bans[0])


def main() -> None:  # noqa: PLR0915 - one linear script
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--tracking-connections", type=int, default=16)
    parser.add_argument("--api-connections", type=int, default=8)
    parser.add_argument("--shipments", type=int, default=500)
    parser.add_argument("--keys", type=int, default=50)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url.startswith("redis"):
        raise SystemExit("set DATABASE_URL (postgres://…/bsk_load) and REDIS_URL (redis://…/N)")
    for host in (urlsplit(database_url).hostname, urlsplit(redis_url).hostname):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"the load test runs on loopback only, not {host}")
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    fresh_database(database_url)
    fresh_redis(redis_url)
    env = {"TRUSTED_PROXY_CIDRS": "127.0.0.1/32,::1/128", "BUDSTIKKE_WEB_WORKERS": "2"}
    started = time.monotonic()
    with LiveServer("load", env=env, worker=True) as server:
        print(f"seeding {args.shipments} shipments and {args.keys} API keys …", flush=True)
        seeded = server.seed(keys=args.keys, shipments=args.shipments)
        before, _bans = counts(database_url)
        server.start()
        scripts = server.data_dir / "lua"
        scripts.mkdir()
        tracking_lua = scripts / "tracking.lua"
        tracking_lua.write_text(TRACKING_LUA % ",".join(f'"{n}"' for n in seeded.tracking))
        api_lua = scripts / "api.lua"
        api_lua.write_text(
            API_LUA % (",".join(f'"{k}"' for k in seeded.keys), json.dumps(json.dumps(BODY)))
        )
        common = ["--latency", "--timeout", "10s", f"-d{args.seconds}s", "-t1"]
        print(
            f"driving {server.url} for {args.seconds} s: tracking page with "
            f"{args.tracking_connections} connections, POST /api/v1/shipments with "
            f"{args.api_connections} …",
            flush=True,
        )
        runs = {
            "GET /t/<number>": subprocess.Popen(
                [
                    wrk,
                    *common,
                    f"-c{args.tracking_connections}",
                    "-s",
                    str(tracking_lua),
                    f"{server.url}/t/",
                ],
                stdout=subprocess.PIPE,
                text=True,
            ),
            "POST /api/v1/shipments": subprocess.Popen(
                [
                    wrk,
                    *common,
                    f"-c{args.api_connections}",
                    "-s",
                    str(api_lua),
                    f"{server.url}/api/v1/shipments",
                ],
                stdout=subprocess.PIPE,
                text=True,
            ),
        }
        outputs = {
            name: run.communicate(timeout=args.seconds + 120)[0] for name, run in runs.items()
        }
        streams = [parse(name, output) for name, output in outputs.items()]
        time.sleep(2)
        after, bans = counts(database_url)
        log = server.log.read_text(errors="replace")
    tracebacks = log.count("Traceback")
    created = after - before
    api = streams[1]
    print()
    for name, output in outputs.items():
        print(f"--- wrk: {name}\n{output.strip()}\n")
    print("== make load (PostgreSQL + Redis, web + worker) ==")
    print(f"{'stream':<24} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for s in streams:
        print(
            f"{s.name:<24} {s.requests:>9} {s.rate:>8.1f} {s.p50_ms:>8.1f} {s.p99_ms:>8.1f} "
            f"{s.errors:>7}"
        )
    total = sum(s.requests for s in streams)
    errors = sum(s.errors for s in streams)
    print(
        f"{'total':<24} {total:>9} {sum(s.rate for s in streams):>8.1f} {'':>8} {'':>8} {errors:>7}"
    )
    print(f"shipments created by the API: {created} (wrk counted {api.requests - api.non_2xx} 2xx)")
    print(f"bans after the run: {bans}; server tracebacks: {tracebacks}")
    print(f"time: {time.monotonic() - started:.0f} s")
    problems = []
    if errors:
        problems.append(f"{errors} errors")
    if bans:
        problems.append(f"{bans} bans")
    if tracebacks:
        problems.append(f"{tracebacks} tracebacks in the server log")
    # wrk stops mid-request at the deadline: a request in flight may be committed uncounted.
    if not 0 <= created - (api.requests - api.non_2xx) <= args.api_connections:
        problems.append("shipments in the database do not match the API's 2xx answers")
    print("result: " + ("PASS" if not problems else "FAIL: " + "; ".join(problems)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
