"""Redis killed under a running installation (REDIS_URL: the job queue, the cache behind
rate limits, the shared ban set), then started again empty.

While Redis is gone: pages and the API still answer, the sign-in form still answers (its
rate limit counts in the process's memory), a banned address stays banned (each
process keeps its ban set in memory), a shipment made through the API is created and its
web hook is a row in the database though its job could not be queued, and neither the web
server nor the worker dies. Once Redis is back: the web hook is delivered by the worker's
sweep, exactly once, and the ban still holds although the new Redis started empty.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from pathlib import Path

import httpx
import pytest

from budstikke.webhooks.testing import Receiver, local_receiver
from tests.faults.load import LEAKS
from tests.faults.processes import Installation, PrivateRedis, start_server, wait_for

pytestmark = pytest.mark.faults

BANNED = "203.0.113.7"
VISITOR = "198.51.100.10"
SIGNING_IN = "198.51.100.20"
SWEEP_LIMIT_SECONDS = 90  # the outbox sweep runs every minute


def _shipment(http: httpx.Client, key: str, customer: int, reference: str) -> httpx.Response:
    return http.post(
        "/api/v1/shipments",
        headers={"Authorization": f"Bearer {key}", "X-Forwarded-For": VISITOR},
        json={
            "customer_number": customer,
            "recipient_name": "Mette Mogensen",
            "delivery_address": "Vesterbrogade 10",
            "delivery_postcode": "1620",
            "delivery_city": "København V",
            "pickup_index": 1,
            "reference": reference,
        },
    )


def _sign_in_attempt(http: httpx.Client) -> httpx.Response:
    """A wrong password on the sign-in form, with its CSRF token, as a browser sends it."""
    headers = {"X-Forwarded-For": SIGNING_IN, "Referer": f"{http.base_url}/accounts/login/"}
    form = http.get("/accounts/login/", headers=headers)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token is not None, form.text[:500]
    return http.post(
        "/accounts/login/",
        data={
            "csrfmiddlewaretoken": token.group(1),
            "login": "nobody@fault.test",
            "password": "a wrong password, long enough",
        },
        headers=headers,
    )


def _hooks_for(receiver: Receiver, tracking: str) -> list[str]:
    ids = []
    for call in list(receiver.calls):
        if json.loads(call.body)["data"]["tracking_number"] == tracking:
            ids.append(call.headers["webhook-id"])
    return ids


def _clean(response: httpx.Response) -> bool:
    return not any(word in response.text for word in LEAKS)


def test_pages_bans_and_the_outbox_survive_redis_going_away(
    private_redis: PrivateRedis, workdir: Path, installations: list[Installation]
) -> None:
    with local_receiver() as receiver:
        installation = Installation(
            workdir,
            f"sqlite:///{workdir / 'db.sqlite3'}",
            extra={
                "REDIS_URL": private_redis.url,
                "TRUSTED_PROXY_CIDRS": "127.0.0.1/32",
                "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
            },
        )
        installations.append(installation)
        installation.manage("migrate", "--noinput")
        seeded = installation.seed("--webhook", receiver.url, "--ban", BANNED)
        tracking, key = seeded["tracking_numbers"][0], str(seeded["api_key"])  # type: ignore[index]
        customer = int(seeded["customer_number"])  # type: ignore[call-overload]
        server = start_server(installation)
        worker = installation.spawn("run_huey", log_name="worker.log")

        with server.client() as http:
            visitors = itertools.count(1)

            def visit(path: str, source: str = "", **headers: str) -> httpx.Response:
                """From `source`, or from one of many visitors (tracking lookups are limited
                per address)."""
                source = source or f"198.51.100.{next(visitors) % 200 + 1}"
                return http.get(path, headers={"X-Forwarded-For": source, **headers})

            me = {"Authorization": f"Bearer {key}"}
            assert visit(f"/t/{tracking}").status_code == 200
            assert visit("/api/v1/me", **me).status_code == 200
            assert visit("/", source=BANNED).status_code == 403
            before = _shipment(http, key, customer, "before")
            assert before.status_code == 201, before.text
            wait_for(lambda: _hooks_for(receiver, before.json()["tracking_number"]), 30, "hook")

            private_redis.kill()
            down_at = time.monotonic()
            answers: list[tuple[str, int]] = []
            while time.monotonic() - down_at < 6:
                for name, response in (
                    ("tracking", visit(f"/t/{tracking}")),
                    ("api", visit("/api/v1/me", **me)),
                    ("banned", visit("/", source=BANNED)),
                ):
                    assert _clean(response), (name, response.text[:500])
                    answers.append((name, response.status_code))
                time.sleep(0.3)
            during = _shipment(http, key, customer, "during")
            sign_in = _sign_in_attempt(http)
            assert sign_in.status_code == 200, sign_in.text[:500]  # not 429
            assert "not correct" in sign_in.text
            assert server.alive(), installation.log_text("web.log")[-3000:]
            assert worker.poll() is None, installation.log_text("worker.log")[-3000:]
            assert set(answers) == {("tracking", 200), ("api", 200), ("banned", 403)}
            assert during.status_code == 201, during.text
            made_during = during.json()["tracking_number"]

            private_redis.restart()
            up_at = time.monotonic()
            while time.monotonic() - up_at < 8:
                assert visit("/", source=BANNED).status_code == 403
                assert visit(f"/t/{tracking}").status_code == 200
                time.sleep(0.5)
            wait_for(lambda: _hooks_for(receiver, made_during), SWEEP_LIMIT_SECONDS, "sweep")
            delivered_after = time.monotonic() - up_at
            assert visit("/api/v1/me", **me).status_code == 200
            assert worker.poll() is None

        assert len(_hooks_for(receiver, made_during)) == 1
        assert len(_hooks_for(receiver, before.json()["tracking_number"])) == 1
        print(  # the figures docs/security-tests.md reports
            f"\nRedis down {up_at - down_at:.1f} s: {len(answers)} requests answered"
            f" ({sorted(set(answers))}); the web hook queued during the outage was delivered"
            f" {delivered_after:.1f} s after Redis returned"
        )
