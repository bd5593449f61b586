"""What every outbox shares (ARCHITECTURE invariant 3): SMS (notify), e-mail (accounts), web
hooks, e-conomic customer pushes (economic) and draft invoices (billing).

Each outbox is a table whose rows are written in the transaction of their cause, with
`status`, `attempts`, `next_attempt_at` and `claimed_until`. Its `Schedule` says:

- which rows are **due**: waiting with their time come, or claimed by a worker whose claim
  ran out (it died mid-send);
- how a worker **claims** a row: `sending`, one attempt more, a claim deadline, in one
  conditional UPDATE (or under the row lock the outbox already holds), so the task queued
  on commit and the sweep never send one row at the same time;
- that an outcome is written only while the claim is still **ours** (`sending`, with our
  attempt number), so a worker that outlived its claim cannot overwrite a newer try;
- how long a failed row **waits** (exponential backoff with a ceiling), and when the outbox
  gives up.

What happens around the send (policy checks, unknown outcomes, delivery reports) stays with
each outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import F, Q

from budstikke.core import clock

_MAX_STEPS = 32  # backoff steps beyond this are past any ceiling anyway


@dataclass(frozen=True)
class Schedule:
    waiting: str  # the status of a row waiting for its next attempt
    max_attempts: int
    claim_for: timedelta
    first_wait: timedelta
    longest_wait: timedelta
    growth: int = 2
    sending: str = "sending"
    failed: str = "failed"

    def backoff(self, attempts: int) -> timedelta:
        """How long a row waits after its `attempts`-th try failed: `first_wait`, times
        `growth` for every try after the first, never more than `longest_wait`."""
        steps = min(max(attempts - 1, 0), _MAX_STEPS)
        seconds = self.first_wait.total_seconds() * self.growth**steps
        return min(timedelta(seconds=seconds), self.longest_wait)

    def due(self, now: datetime) -> Q:
        return Q(status=self.waiting, next_attempt_at__lte=now) | Q(
            status=self.sending, claimed_until__lt=now
        )

    def due_ids(self, rows: models.QuerySet[Any], limit: int) -> list[int]:
        """Primary keys of the due rows among `rows`, the longest waiting first."""
        due = rows.filter(self.due(clock.now())).order_by("next_attempt_at", "pk")
        return list(due.values_list("pk", flat=True)[:limit])

    def claim(self, rows: models.QuerySet[Any], pk: int) -> bool:
        """Claim row `pk` if it is due, in one conditional UPDATE. False: it is not due, or
        another worker has it."""
        now = clock.now()
        return bool(
            rows.filter(self.due(now), pk=pk).update(
                status=self.sending, claimed_until=now + self.claim_for, attempts=F("attempts") + 1
            )
        )

    def claim_locked(self, row: Any, now: datetime) -> list[str]:
        """Claim a due row the caller holds locked (SELECT ... FOR UPDATE, checked with
        `due`); returns the fields to save."""
        row.status = self.sending
        row.attempts += 1
        row.claimed_until = now + self.claim_for
        return ["status", "attempts", "claimed_until"]

    def mine(self, rows: models.QuerySet[Any], row: Any) -> models.QuerySet[Any]:
        """Row `row` only while this worker's claim on it holds: where outcomes are written."""
        return rows.filter(pk=row.pk, status=self.sending, attempts=row.attempts)

    def retry(self, attempts: int, now: datetime, wait: timedelta | None = None) -> dict[str, Any]:
        """The columns of a failed try: wait (`backoff`, or `wait`) and try again, or fail
        for good after `max_attempts`."""
        return {
            "status": self.failed if attempts >= self.max_attempts else self.waiting,
            "next_attempt_at": now + (self.backoff(attempts) if wait is None else wait),
            "claimed_until": None,
        }
