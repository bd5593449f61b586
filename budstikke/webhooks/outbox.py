"""Delivery of the web hook outbox (ARCHITECTURE invariant 3).

A row is claimed in a short transaction (status `sending`, a claim deadline), sent outside
any transaction, and its outcome written only while the claim is still ours. Failures are
retried with exponential backoff up to MAX_ATTEMPTS; every try is logged. An endpoint that
has failed without a single success for DISABLE_AFTER is switched off. Redirects are not
followed, and private addresses are refused (targets.py).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta

import httpx
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from budstikke.core import clock
from budstikke.core.outbox import Schedule
from budstikke.webhooks import signing, targets
from budstikke.webhooks.models import Attempt, Delivery, Endpoint

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_SECONDS = 60
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# An endpoint failing this long, over at least DISABLE_MIN_FAILURES tries, is disabled.
DISABLE_AFTER = timedelta(days=1)
DISABLE_MIN_FAILURES = 5
SWEEP_BATCH = 200
Status = Delivery.Status

_transport: httpx.BaseTransport | None = None


SCHEDULE = Schedule(
    waiting=Status.PENDING,
    max_attempts=MAX_ATTEMPTS,
    claim_for=timedelta(seconds=CLAIM_SECONDS),
    first_wait=timedelta(seconds=30),  # 30 s, 2 min, 8 min, 32 min, … 12 hours at most
    growth=4,
    longest_wait=timedelta(hours=12),
)


def body_of(delivery: Delivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()


def _claim(pk: int, now: datetime) -> Delivery | None:
    with transaction.atomic():
        row: Delivery | None = (
            Delivery.objects.dangerously_unscoped()
            .select_for_update()
            .filter(SCHEDULE.due(now), pk=pk)
            .first()
        )
        if row is None:
            return None
        endpoint: Endpoint = Endpoint.objects.for_tenant(row.tenant).get(pk=row.endpoint_id)
        if not endpoint.enabled:
            row.status = Status.FAILED
            row.last_error = "endpoint disabled"
            row.claimed_until = None
            row.save(update_fields=["status", "last_error", "claimed_until"])
            return None
        row.save(update_fields=SCHEDULE.claim_locked(row, now))
        row.endpoint = endpoint
        return row


def _send(row: Delivery, now: datetime) -> tuple[int | None, str]:
    """POST the signed event; (HTTP status or None, error text)."""
    endpoint = row.endpoint
    try:
        target = targets.resolve(endpoint.url)
    except targets.UnsafeTargetError as exc:
        return None, str(exc)
    body = body_of(row)
    headers = signing.headers(endpoint.secret, row.message_id, int(now.timestamp()), body)
    headers |= {"host": target.netloc, "user-agent": "Budstikke-Webhooks/1"}
    extensions = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
    try:
        with (
            httpx.Client(
                transport=_transport, timeout=TIMEOUT, follow_redirects=False, trust_env=False
            ) as client,
            client.stream(
                "POST", target.url, content=body, headers=headers, extensions=extensions
            ) as response,
        ):
            status = response.status_code
    except httpx.TimeoutException:
        return None, "timeout"
    except httpx.HTTPError as exc:
        return None, type(exc).__name__
    if 200 <= status < 300:
        return status, ""
    if 300 <= status < 400:
        return status, "redirect not followed"
    return status, f"HTTP {status}"


def deliver(pk: int) -> str | None:
    """Try one delivery if it is due; returns its status afterwards (None: not due or
    another worker has it)."""
    now = clock.now()
    row = _claim(pk, now)
    if row is None:
        return None
    started = time.monotonic()
    status_code, error = _send(row, now)
    elapsed = int((time.monotonic() - started) * 1000)
    ok = status_code is not None and 200 <= status_code < 300
    done = clock.now()
    with transaction.atomic():
        Attempt.objects.create(
            tenant_id=row.tenant_id,
            delivery=row,
            at=done,
            status_code=status_code,
            error=error[:300],
            duration_ms=elapsed,
        )
        mine = SCHEDULE.mine(Delivery.objects.for_tenant(row.tenant), row)
        if ok:
            outcome = Status.DELIVERED
            mine.update(
                status=outcome,
                delivered_at=done,
                claimed_until=None,
                last_status_code=status_code,
                last_error="",
            )
            Endpoint.objects.for_tenant(row.tenant).filter(pk=row.endpoint_id).update(
                consecutive_failures=0, failing_since=None, last_success_at=done
            )
        else:
            retry = SCHEDULE.retry(row.attempts, done)
            outcome = retry["status"]
            mine.update(**retry, last_status_code=status_code, last_error=error[:300])
            _note_failure(row.endpoint, done)
    if not ok:
        log.info("web hook %s attempt %s failed: %s", row.message_id, row.attempts, error)
    return str(outcome)


def _note_failure(endpoint: Endpoint, now: datetime) -> None:
    scoped = Endpoint.objects.for_tenant(endpoint.tenant).filter(pk=endpoint.pk)
    scoped.filter(failing_since__isnull=True).update(failing_since=now)
    scoped.update(consecutive_failures=F("consecutive_failures") + 1)
    fresh = scoped.values("consecutive_failures", "failing_since", "enabled").first()
    if fresh is None or not fresh["enabled"]:
        return
    if (
        fresh["consecutive_failures"] >= DISABLE_MIN_FAILURES
        and now - fresh["failing_since"] >= DISABLE_AFTER
    ):
        disable(endpoint, _("Disabled automatically after failing for a day."))


def disable(endpoint: Endpoint, reason: str) -> None:
    """Switch an endpoint off; its waiting deliveries fail rather than wait for ever."""
    with transaction.atomic():
        Endpoint.objects.for_tenant(endpoint.tenant).filter(pk=endpoint.pk).update(
            enabled=False, disabled_reason=reason[:200]
        )
        Delivery.objects.for_tenant(endpoint.tenant).filter(
            endpoint_id=endpoint.pk, status=Status.PENDING
        ).update(status=Status.FAILED, last_error="endpoint disabled")
    log.warning("web hook endpoint %s of tenant %s disabled", endpoint.pk, endpoint.tenant_id)


def due_ids(limit: int = SWEEP_BATCH) -> list[int]:
    return SCHEDULE.due_ids(Delivery.objects.dangerously_unscoped(), limit)


def deliver_due() -> int:
    sent = 0
    for pk in due_ids():
        if deliver(pk) is not None:
            sent += 1
    return sent
