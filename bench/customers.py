"""Name search over 50 000 encrypted customers of one tenant: p95 of a list page's work
(count + first 50 matches, names decrypted) for typed queries; goal p95 < 150 ms.

Runs against its own temporary SQLite database and keys directory:
    uv run python bench/customers.py [--customers 50000]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

GOAL_MS = 150.0
FIRST = ["Fragt", "Kurér", "Blå", "Hansen", "Nordisk", "Jysk", "Fyns", "Dansk", "Hurtig", "Grøn"]
MIDDLE = ["Transport", "Bud", "Logistik", "Levering", "Pakke", "Handel", "Møbler", "Tryk", "Vin"]
LAST = ["ApS", "A/S", "I/S", "& Søn", "Holding", ""]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="budstikke-bench-customers-"))
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
    from django.core.paginator import Paginator

    from bench.report import result
    from budstikke.customers import search, selectors
    from budstikke.customers.models import Customer
    from budstikke.tenants.models import Tenant

    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.create(name="Bench Kurer", slug="bench-kurer")
    rng = random.Random(7)
    started = time.perf_counter()
    batch: list[Customer] = []
    for number in range(1, args.customers + 1):
        name = f"{rng.choice(FIRST)} {rng.choice(MIDDLE)} {number} {rng.choice(LAST)}".strip()
        batch.append(
            Customer(tenant=tenant, customer_number=number, name=name, email=f"k{number}@x.dk")
        )
        if len(batch) == 2000 or number == args.customers:
            Customer.objects.bulk_create(batch)
            search.bulk_index(batch)
            batch = []
    print(f"created {args.customers} customers in {time.perf_counter() - started:.1f} s")

    queries = [
        rng.choice(
            [
                rng.choice(FIRST)[:3],
                f"{rng.choice(FIRST)} {rng.choice(MIDDLE)[:4]}",
                str(rng.randint(1, args.customers)),
                f"{rng.choice(MIDDLE)} {rng.randint(1, args.customers)}",
                f"k{rng.randint(1, args.customers)}@x.dk",
                rng.choice(MIDDLE)[:2],
            ]
        )
        for _ in range(args.queries)
    ]
    timings = []
    for query in queries:
        t0 = time.perf_counter()
        page = Paginator(selectors.filtered(tenant, q=query), 50).get_page(1)
        names = [customer.name for customer in page]
        _count = page.paginator.count
        timings.append((time.perf_counter() - t0) * 1000)
        assert names or _count == 0
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"search over {args.customers} customers, {len(timings)} queries: "
        f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms "
        f"(goal < {GOAL_MS:.0f} ms: {'met' if p95 < GOAL_MS else 'NOT met'}; "
        f"ratio {p95 / GOAL_MS:.2f})"
    )
    result(
        "customers",
        f"name search p95, {args.customers} encrypted customers",
        p95,
        unit="ms",
        goal=f"< {GOAL_MS:.0f} ms",
        met=p95 < GOAL_MS,
    )
    result(
        "customers",
        f"name search median, {args.customers} encrypted customers",
        statistics.median(timings),
        unit="ms",
    )


if __name__ == "__main__":
    main()
