from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from budstikke.shield import enforcement, policy


@db_periodic_task(crontab(hour="3", minute="17"))
def revise_country_policy() -> None:
    """Nightly: restrict the countries most attacks come from, lift the quiet ones."""
    policy.revise()


@db_periodic_task(crontab(minute="*"))
def sync_ban_set() -> None:
    """Every minute: copy the database's active bans to Redis (when configured) and add the
    refused-request counts this process holds to the Ban rows."""
    enforcement.sync_redis()
    enforcement.flush_counts()
