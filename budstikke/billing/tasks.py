"""Background billing: posting queued draft invoices and the monthly run."""

from __future__ import annotations

import logging
from datetime import datetime, time

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from budstikke.billing import actions, outbox
from budstikke.billing.models import BillingRun, BillingSettings
from budstikke.core import clock
from budstikke.economic.models import Connection
from budstikke.tenants.models import Tenant

log = logging.getLogger(__name__)


@db_task()
def deliver_invoice(pk: int) -> None:
    outbox.deliver(pk)


@db_periodic_task(crontab(minute="*/5"))
def sweep_invoices() -> None:
    outbox.deliver_due()


def month_start(tenant: Tenant) -> datetime:
    """Midnight of the first of the current month in the tenant's zone."""
    zone = actions._zone(tenant)
    today = clock.now().astimezone(zone).date()
    return datetime.combine(today.replace(day=1), time.min, tzinfo=zone)


def monthly_billing() -> int:
    """Bill last month for every active, connected tenant that wants it; safe to repeat."""
    runs = 0
    connected = Connection.objects.dangerously_unscoped().filter(
        status__in=[Connection.Status.CONNECTED, Connection.Status.FAILING],
        tenant__status=Tenant.Status.ACTIVE,
    )
    for tenant_id in connected.values_list("tenant_id", flat=True):
        tenant = Tenant.objects.get(pk=tenant_id)
        options = BillingSettings.objects.for_tenant(tenant).first()
        if options is None or not options.monthly or not options.product_number:
            continue
        try:
            actions.run_billing(
                tenant, cutoff=month_start(tenant), trigger=BillingRun.Trigger.MONTHLY
            )
            runs += 1
        except actions.BillingNotReadyError:
            continue
    return runs


@db_periodic_task(crontab(day="1", hour="6", minute="0"))
def run_monthly_billing() -> None:
    """On the first of the month (installation time), after midnight in every EU zone."""
    log.info("monthly billing: %d tenants billed", monthly_billing())
