"""The retention purge (to be written by the retention task)."""

from __future__ import annotations

from budstikke.privacy.models import PurgeRun


def run(*, trigger: str = PurgeRun.Trigger.MANUAL, dry_run: bool = False) -> PurgeRun:
    raise NotImplementedError
