"""`make fuzz`: schemathesis against a running Budstikke's `/api/v1/openapi.json`.

Starts the HTTPS server as `make run` does (own data directory and port, no worker: nothing
generated may leave the machine), seeds a tenant with a customer, a shipment and API keys
with every scope, and runs at least `--cases` generated requests over every operation with
every check but `positive_data_acceptance` (business rules beyond the schema answer 422 by
design). Zero 5xx and zero schema violations, or the exit status is 1.

The fuzzer sends bad keys on purpose; its address (loopback) is put on the operator
allow-list (`SHIELD_ALLOW_CIDRS`) so the shield does not ban it and hide the API's answers.
Every request is authenticated with one of several keys in turn (tests/fuzz/hooks.py): one
key's rate limit (600/min) would otherwise answer most cases with 429.

    uv run python tests/fuzz/run.py [--cases 5000] [--seed N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.live import LiveServer  # noqa: E402

EXCLUDED_CHECKS = "positive_data_acceptance"
KEYS = 12
MAX_ROUNDS = 4


def schemathesis_argv(
    url: str, per_operation: int, workers: str, report: Path, seed: int
) -> list[str]:
    config = report / "schemathesis.toml"
    config.write_text("[cache]\nenabled = false\n")  # no .schemathesis/ in the tree
    ndjson = report / f"round-{seed}.ndjson"
    argv = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config),
        "run",
        f"{url}/api/v1/openapi.json",
        "--tls-verify",
        "false",
        "--checks",
        "all",
        "--exclude-checks",
        EXCLUDED_CHECKS,
        "--max-examples",
        str(per_operation),
        "--workers",
        workers,
        "--continue-on-failure",
        "--suppress-health-check",
        "all",
        "--generation-database",
        "none",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(ndjson),
        "--request-timeout",
        "30",
    ]
    return [*argv, "--seed", str(seed)]


def operations(server: LiveServer) -> int:
    import urllib.request

    from bench.live import insecure_context

    with urllib.request.urlopen(  # noqa: S310 - our own loopback URL
        f"{server.url}/api/v1/openapi.json", context=insecure_context(), timeout=10
    ) as answer:
        schema = json.load(answer)
    return sum(len(methods) for methods in schema["paths"].values())


def summarise(ndjson: Path) -> tuple[int, Counter[str], int, list[str]]:
    """(requests, status classes, 5xx count, failure titles) from schemathesis' event log."""
    requests = 0
    statuses: Counter[str] = Counter()
    server_errors = 0
    failures: list[str] = []
    for line in ndjson.read_text().splitlines():
        event = json.loads(line)
        for name, body in event.items():
            if name != "ScenarioFinished":
                continue
            recorder = body.get("recorder", {})
            for interaction in recorder.get("interactions", {}).values():
                response = interaction.get("response")
                if not response:
                    continue
                requests += 1
                code = int(response["status_code"])
                statuses[f"{code // 100}xx"] += 1
                server_errors += code >= 500
            for checks in recorder.get("checks", {}).values():
                for check in checks:
                    if str(check.get("status", "")).lower() == "failure":
                        failures.append(f"{check['name']}: {check.get('failure_info', {})}")
    return requests, statuses, server_errors, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=5000, help="generated cases at least")
    parser.add_argument("--seed", type=int, default=random.randrange(2**32), help="of round 1")
    parser.add_argument("--workers", default="2")
    args = parser.parse_args()

    started = time.monotonic()
    env = {"SHIELD_ALLOW_CIDRS": "127.0.0.1/32,::1/128"}
    with LiveServer("fuzz", env=env) as server:
        seeded = server.seed(keys=KEYS)
        server.start()
        count = operations(server)
        # The coverage and stateful phases add cases of their own: 3/5 of the target from
        # the fuzzing phase is about right (half gave 4 650); more rounds make up a shortfall.
        per_operation = max(10, 3 * args.cases // (5 * count) + 1)
        report = Path(tempfile.mkdtemp(prefix="budstikke-fuzz-report-"))
        environ = os.environ | {
            "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks",
            "BUDSTIKKE_FUZZ_KEYS": ",".join(seeded.keys),
            "PYTHONPATH": str(ROOT),
        }
        print(
            f"fuzzing {count} operations, {per_operation} examples each per round, "
            f"until at least {args.cases} cases have run, at {server.url}",
            flush=True,
        )
        requests, statuses, server_errors, failures, exits = 0, Counter[str](), 0, [], []
        # Operations without parameters run out of distinct inputs early; further rounds
        # with fresh seeds make up the number.
        for round_number in range(1, MAX_ROUNDS + 1):
            seed = args.seed + round_number - 1
            argv = schemathesis_argv(server.url, per_operation, args.workers, report, seed)
            ndjson = report / f"round-{seed}.ndjson"
            exits.append(subprocess.run(argv, cwd=ROOT, env=environ, check=False).returncode)
            sent, classes, errors, failed = summarise(ndjson)
            requests += sent
            statuses.update(classes)
            server_errors += errors
            failures += failed
            if requests >= args.cases or failures or server_errors:
                break
        log_errors = server.log.read_text(errors="replace").count("Traceback")
        if not failures and not server_errors and not any(exits):
            shutil.rmtree(report, ignore_errors=True)
        else:
            print(f"schemathesis' reports are kept in {report}")
    seconds = time.monotonic() - started
    print()
    print("== make fuzz ==")
    print(f"operations:            {count}")
    by_class = ", ".join(f"{name} {n}" for name, n in sorted(statuses.items()))
    print(f"requests sent:         {requests}  ({by_class})")
    print(f"5xx answers:           {server_errors}")
    print(f"failed checks:         {len(failures)}")
    print(f"server tracebacks:     {log_errors}")
    print(f"schemathesis rounds:   {len(exits)} (exit statuses {exits})")
    print(f"time:                  {seconds:.0f} s (seed of round 1: {args.seed})")
    for failure in failures[:20]:
        print(f"  - {failure[:300]}")
    ok = not any(exits) and server_errors == 0 and not failures and requests >= args.cases
    if requests < args.cases:
        print(f"only {requests} requests were sent; wanted at least {args.cases}")
    print("result:                " + ("PASS" if ok else "FAIL"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
