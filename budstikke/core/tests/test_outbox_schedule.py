"""The schedule every outbox shares: which rows are due, one worker per claim, outcomes
written only under a live claim, backoff with a ceiling, giving up after the last try.
Shown on the e-mail outbox's table, the simplest of the five."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from budstikke.accounts.models import OutgoingEmail
from budstikke.core import clock as clock_module
from budstikke.core.outbox import Schedule

pytestmark = pytest.mark.django_db

SCHEDULE = Schedule(
    waiting=OutgoingEmail.Status.PENDING,
    max_attempts=3,
    claim_for=timedelta(minutes=5),
    first_wait=timedelta(seconds=30),
    longest_wait=timedelta(hours=1),
)
ROWS = OutgoingEmail.objects.all()


def _row(**fields: object) -> OutgoingEmail:
    return OutgoingEmail.objects.create(idempotency_key=uuid.uuid4(), sealed_message="x", **fields)


def test_backoff_doubles_from_the_first_wait_up_to_the_ceiling() -> None:
    waits = [SCHEDULE.backoff(n) for n in (1, 2, 3, 4, 7, 8, 10_000)]
    assert [int(w.total_seconds()) for w in waits] == [30, 60, 120, 240, 1920, 3600, 3600]
    quadruple = Schedule(
        "pending", 8, timedelta(minutes=1), timedelta(seconds=30), timedelta(hours=12), growth=4
    )
    assert [int(quadruple.backoff(n).total_seconds()) for n in (1, 2, 3, 9)] == [
        30,
        120,
        480,
        12 * 3600,
    ]


def test_due_rows_are_the_waiting_whose_time_came_and_the_abandoned(
    clock: type[clock_module.ClockControl],
) -> None:
    now = clock_module.now()
    later = _row(next_attempt_at=now + timedelta(minutes=1))
    waiting = _row(next_attempt_at=now - timedelta(minutes=1))
    oldest = _row(next_attempt_at=now - timedelta(hours=1))
    abandoned = _row(
        status="sending",
        next_attempt_at=now - timedelta(minutes=30),
        claimed_until=now - timedelta(seconds=1),
    )
    _row(status="sending", claimed_until=now + timedelta(minutes=1))  # a worker has it
    _row(status="sent")
    _row(status="failed")

    assert SCHEDULE.due_ids(ROWS, limit=10) == [oldest.pk, abandoned.pk, waiting.pk]
    assert SCHEDULE.due_ids(ROWS, limit=1) == [oldest.pk]
    clock.advance(timedelta(minutes=2))
    assert later.pk in SCHEDULE.due_ids(ROWS, limit=10)


def test_one_worker_holds_a_claim_until_it_runs_out(
    clock: type[clock_module.ClockControl],
) -> None:
    row = _row()
    assert SCHEDULE.claim(ROWS, row.pk) is True
    assert SCHEDULE.claim(ROWS, row.pk) is False  # the sweep finds it taken
    first = OutgoingEmail.objects.get(pk=row.pk)
    assert (first.status, first.attempts) == ("sending", 1)

    clock.advance(timedelta(minutes=5, seconds=1))  # the first worker died
    assert SCHEDULE.claim(ROWS, row.pk) is True
    second = OutgoingEmail.objects.get(pk=row.pk)
    assert second.attempts == 2

    # The first worker wakes up late: its outcome is not written over the second try.
    assert SCHEDULE.mine(ROWS, first).update(status="sent") == 0
    assert SCHEDULE.mine(ROWS, second).update(status="sent") == 1
    assert OutgoingEmail.objects.get(pk=row.pk).status == "sent"


def test_a_failed_try_waits_then_the_last_one_gives_up() -> None:
    now = clock_module.now()
    assert SCHEDULE.retry(1, now) == {
        "status": "pending",
        "next_attempt_at": now + timedelta(seconds=30),
        "claimed_until": None,
    }
    assert SCHEDULE.retry(2, now, wait=timedelta(hours=2))["next_attempt_at"] == now + timedelta(
        hours=2
    )
    assert SCHEDULE.retry(3, now)["status"] == "failed"
