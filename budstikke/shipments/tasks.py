"""The worker's shipment chores: uploaded CSV files that were never imported are deleted
after a day (they hold recipients' data and have no other use)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from budstikke.shipments import actions


@db_periodic_task(crontab(minute="17"))
def delete_stale_csv_imports() -> None:
    actions.delete_stale_csv_imports()
