"""e-conomic sync at scale, against the simulator served in-process:
- initial sync of 100 000 customers (pages, seconds, records/s);
- incremental sync with 10 customers changed in e-conomic (API calls, seconds;
  goal ≤ 3 calls and < 1 s).

Runs against its own temporary SQLite database and keys directory:
    uv run python bench/sync.py [--customers 100000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

GOAL_CALLS = 3
GOAL_SECONDS = 1.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="budstikke-bench-sync-"))
    os.environ["BUDSTIKKE_DATA_DIR"] = str(workdir)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "budstikke.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    try:
        _run(args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from bench.report import result
    from budstikke.core import clock
    from budstikke.economic import sync
    from budstikke.economic.client import MAX_PAGE_SIZE
    from budstikke.economic.simulator import DEFAULT_AGREEMENT, Simulator
    from budstikke.economic.simulator.store import seed_customers
    from budstikke.economic.testing import BASE, connect, simulated_economic
    from budstikke.tenants.models import Tenant

    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.create(name="Bench Kurer", slug="bench-kurer")
    simulator = Simulator(base_url=BASE)
    # The customers were last changed yesterday, as in an agreement that is not new.
    clock.freeze(clock.now() - timedelta(days=1))
    seed_customers(simulator.store, DEFAULT_AGREEMENT, args.customers)
    clock.reset()
    with simulated_economic(simulator):
        wired = connect(tenant, simulator)
        first = sync.sync(wired.connection)
        pages = -(-args.customers // MAX_PAGE_SIZE)
        print(
            f"initial sync: {first.pulled} customers, {pages} pages, {first.api_calls} API calls, "
            f"{first.seconds:.1f} s, {first.pulled / first.seconds:.0f} records/s"
            + (f", errors: {first.errors}" if first.errors else "")
        )
        result(
            "sync",
            f"initial sync of {args.customers} customers",
            first.pulled / first.seconds,
            unit="records/s",
            goal="no errors",
            met=not first.errors and first.pulled == args.customers,
        )
        for number in range(1, 11):
            simulator.store.edit_customer(
                DEFAULT_AGREEMENT, number * (args.customers // 11), city="Ribe"
            )
        second = sync.sync(wired.connection)
        met = second.api_calls <= GOAL_CALLS and second.seconds < GOAL_SECONDS
        print(
            f"incremental sync, 10 changed: {second.updated_here} updated, "
            f"{second.api_calls} API calls, {second.seconds:.3f} s "
            f"(goal ≤ {GOAL_CALLS} calls and < {GOAL_SECONDS:.0f} s: {'met' if met else 'NOT met'})"
        )
        result(
            "sync",
            "incremental sync, 10 changed: API calls",
            second.api_calls,
            unit="calls",
            goal=f"<= {GOAL_CALLS}",
            met=second.api_calls <= GOAL_CALLS,
        )
        result(
            "sync",
            "incremental sync, 10 changed: time",
            second.seconds,
            unit="s",
            goal=f"< {GOAL_SECONDS:.0f} s",
            met=second.seconds < GOAL_SECONDS,
        )


if __name__ == "__main__":
    main()
