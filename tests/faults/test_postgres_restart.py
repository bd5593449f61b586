"""PostgreSQL stopped and started again under load: clean errors meanwhile, and Budstikke
serves again within seconds without being restarted.

A private PostgreSQL cluster (never the machine's shared one) backs a real HTTPS server
(`manage.py serve`); three client threads ask for the public tracking page and two API
calls with a key while the cluster is stopped (`pg_ctl stop -m fast`, which ends every
connection), kept down for a few seconds, and started again.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.faults.load import Load, Target, recovered_at, summary
from tests.faults.processes import Installation, PrivatePostgres, start_server

pytestmark = pytest.mark.faults

OUTAGE_SECONDS = 4.0
RECOVERY_LIMIT_SECONDS = 5.0


def test_requests_fail_cleanly_while_postgresql_is_down_and_recover_after(
    private_postgres: PrivatePostgres, workdir: object, installations: list[Installation]
) -> None:
    installation = Installation(
        workdir,  # type: ignore[arg-type]
        private_postgres.url,
        extra={"TRUSTED_PROXY_CIDRS": "127.0.0.1/32"},
    )
    installations.append(installation)
    installation.manage("migrate", "--noinput")
    seeded = installation.seed()
    tracking = seeded["tracking_numbers"][0]  # type: ignore[index]
    auth = {"Authorization": f"Bearer {seeded['api_key']}"}
    server = start_server(installation)
    targets = [
        Target("tracking", f"/t/{tracking}"),
        Target("api-me", "/api/v1/me", auth),
        Target("api-shipment", f"/api/v1/shipments/{tracking}", auth),
    ]

    with Load(server, targets, threads=3, pause=0.2, sources=200) as load:
        time.sleep(3)
        down_at = time.monotonic()
        private_postgres.stop_server("fast")
        time.sleep(OUTAGE_SECONDS)
        starting_at = time.monotonic()
        private_postgres.start_server()
        up_at = time.monotonic()
        time.sleep(RECOVERY_LIMIT_SECONDS + 4)
        end = time.monotonic()

    before = load.between(0, down_at)
    outage = load.between(down_at, starting_at)
    after = load.between(up_at, end)
    assert server.alive(), installation.log_text("web.log")[-3000:]
    assert before, "no request before the outage"
    assert all(s.ok for s in before), summary(before)

    # While the database is away: every request is answered, with a clean error.
    assert len(outage) >= 10, summary(outage)
    failed = [s for s in outage if not s.ok]
    assert failed, "the outage was not noticed: " + summary(outage)
    assert all(s.status is not None for s in outage), summary(outage)
    for sample in failed:
        assert sample.status == 503, (
            summary(outage),
            {(s.target, s.status, s.body[:300]) for s in failed},
        )
        assert sample.retry_after is not None
        assert not sample.leaks(), (sample.target, sample.leaks(), sample.body[:500])
        if sample.target.startswith("api"):
            assert sample.content_type.startswith("application/json"), sample
            assert json.loads(sample.body)["code"] == "unavailable"
        else:
            assert "<html" in sample.body.lower()

    # Back up: every kind of request succeeds again within seconds, no restart of Budstikke.
    recovered = recovered_at(after)
    assert recovered is not None, summary(after)
    assert recovered - up_at < RECOVERY_LIMIT_SECONDS, summary(after)
    assert {s.target for s in after if s.at >= recovered and s.ok} == {t.name for t in targets}
    print(
        f"\nPostgreSQL outage {starting_at - down_at:.1f} s"
        f" (start took {up_at - starting_at:.1f} s):"
        f" {len(outage)} requests during it ({summary(outage)});"
        f" all successful again {max(0.0, recovered - up_at):.2f} s after PostgreSQL was up;"
        f" {len(load.samples)} requests in all"
    )
