"""Time of a data-subject export (zip of everything about one person, found by email) in a
tenant with 1 000 000 shipments, the person having 20 of them (goal: under 5 s), against
the same export at 10 000 shipments.

Each size has its own SQLite database, generated once and kept in `var/bench/privacy/`
(with its keys) for the next run: about a thousand shipments to distinct people are made
through the product's own code, then copied under fresh tracking numbers (the copies keep
their row's seal_id, so their ciphertext and blind indexes stay valid) until the table
holds the wanted count. `--fresh` generates again.

    uv run python bench/privacy.py [--shipments 1000000] [--baseline 10000] [--fresh]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = ROOT / "var" / "bench" / "privacy"
SUBJECT_EMAIL = "sofie.subject@example.dk"
SUBJECT_SHIPMENTS = 20
DISTINCT_PEOPLE = 1000
CUSTOMERS = 200
GOAL_SECONDS = 5.0
FIRST = ["Anna", "Bent", "Carla", "Dorte", "Erik", "Frida", "Gustav", "Hanne", "Ib", "Jonna"]
LAST = ["Hansen", "Jensen", "Nielsen", "Larsen", "Madsen", "Kjær", "Holm", "Bech", "Dahl"]


def _database(size: int) -> Path:
    return WORKDIR / f"shipments-{size}.sqlite3"


def _seed(size: int, rng: random.Random) -> None:
    """Customers, the subject's shipments and DISTINCT_PEOPLE others, through the ORM."""
    from django.core.management import call_command

    from budstikke.customers.actions import create_customer
    from budstikke.shipments.testing import make_customer, make_shipment
    from budstikke.tenants.models import Tenant

    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.create(name="Bench Kurer", slug=f"bench-{size}")
    shippers = [make_customer(tenant, f"Butik {n} ApS") for n in range(10)]
    for n in range(CUSTOMERS):
        create_customer(
            tenant=tenant,
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {n}",
            email=f"customer{n}@example.dk",
            contact_persons=[
                {"name": f"Kontakt {n}", "email": f"kontakt{n}@example.dk", "phone": "", "role": ""}
            ],
        )
    for _n in range(SUBJECT_SHIPMENTS):
        make_shipment(
            tenant,
            rng.choice(shippers),
            recipient_name="Sofie Subject",
            recipient_email=SUBJECT_EMAIL,
            recipient_phone="+4531313131",
        )
    for n in range(DISTINCT_PEOPLE):
        make_shipment(
            tenant,
            rng.choice(shippers),
            recipient_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            recipient_email=f"person{n}@example.dk",
            recipient_phone=f"+4540{n:06d}",
        )


def _fill(db: Path, size: int, rng: random.Random) -> None:
    """Copy the other people's shipments under new tracking numbers up to `size` rows."""
    from budstikke.shipments import numbers

    connection = sqlite3.connect(db)
    connection.execute("PRAGMA synchronous=OFF")
    columns = [row[1] for row in connection.execute("PRAGMA table_info(shipments_shipment)")]
    keep = [c for c in columns if c not in ("id", "tracking_number")]
    templates = connection.execute(
        f"SELECT {', '.join(keep)} FROM shipments_shipment "  # noqa: S608 - our own columns
        "ORDER BY id LIMIT -1 OFFSET ?",
        (SUBJECT_SHIPMENTS,),
    ).fetchall()
    (current,) = connection.execute("SELECT COUNT(*) FROM shipments_shipment").fetchone()
    insert = (
        f"INSERT INTO shipments_shipment (tracking_number, {', '.join(keep)}) "  # noqa: S608
        f"VALUES (?, {', '.join('?' * len(keep))})"
    )
    seen: set[str] = set()
    batch: list[tuple[object, ...]] = []
    for n in range(size - current):
        while True:
            digits = f"{rng.randrange(10**numbers.RANDOM_DIGITS):012d}"
            number = f"BN{digits}{numbers.luhn_digit(digits)}"
            if number not in seen:
                seen.add(number)
                break
        batch.append((number, *templates[n % len(templates)]))
        if len(batch) == 50_000:
            connection.executemany(insert, batch)
            batch = []
    if batch:
        connection.executemany(insert, batch)
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


def _generate(size: int) -> float:
    db = _database(size)
    started = time.perf_counter()
    partial = db.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    from django.db import connections

    connections["default"].settings_dict["NAME"] = str(partial)
    connections["default"].close()
    rng = random.Random(size)
    _seed(size, rng)
    connections["default"].close()
    _fill(partial, size, rng)
    partial.replace(db)
    return time.perf_counter() - started


def _time_export(size: int, rounds: int) -> tuple[float, dict[str, int]]:
    from django.db import connections

    from budstikke.accounts.models import User
    from budstikke.privacy import dsr
    from budstikke.tenants.models import Tenant

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = str(_database(size))
    tenant = Tenant.objects.get(slug=f"bench-{size}")
    user, _ = User.objects.get_or_create(email="bench@example.dk")
    timings = []
    counts: dict[str, int] = {}
    for _n in range(rounds):
        started = time.perf_counter()
        logged, _content = dsr.export(tenant, user, "email", SUBJECT_EMAIL)
        timings.append(time.perf_counter() - started)
        counts = logged.counts
    return statistics.median(timings), counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shipments", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="generate the databases again")
    args = parser.parse_args()
    minimum = SUBJECT_SHIPMENTS + DISTINCT_PEOPLE
    if min(args.shipments, args.baseline) < minimum:
        parser.error(f"--shipments and --baseline must be at least {minimum}")

    if args.fresh and WORKDIR.exists():
        shutil.rmtree(WORKDIR)
    WORKDIR.mkdir(parents=True, exist_ok=True)
    os.environ |= {
        "BUDSTIKKE_DATA_DIR": str(WORKDIR),
        "DATABASE_URL": f"sqlite:///{WORKDIR / 'unused.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "budstikke.settings",
        "LOG_LEVEL": "WARNING",
    }
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from bench.report import result

    measured: dict[int, float] = {}
    for size in (args.baseline, args.shipments):
        if not _database(size).exists():
            took = _generate(size)
            print(f"generated {size:,} shipments in {took:.0f} s ({_database(size)})", flush=True)
        seconds, counts = _time_export(size, args.rounds)
        measured[size] = seconds
        print(f"{size:>10,} shipments: export {seconds:.3f} s (median of {args.rounds}), {counts}")
    seconds = measured[args.shipments]
    result(
        "privacy",
        "data-subject export, " + f"{args.shipments:,} shipments".replace(",", " "),
        seconds,
        unit="s",
        baseline=measured[args.baseline],
        goal=f"< {GOAL_SECONDS:g} s",
        met=seconds < GOAL_SECONDS,
    )


if __name__ == "__main__":
    main()
