"""The worker's part of the e-conomic sync: pushes after local edits, web hook calls, polling
every few minutes (the source of truth), and the nightly full reconciliation."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from budstikke.economic import sync
from budstikke.economic.models import Connection
from budstikke.tenants.models import Tenant

log = logging.getLogger(__name__)
RETRY_SECONDS = 30


def _connection(tenant_id: int) -> Connection | None:
    tenant = Tenant.objects.filter(pk=tenant_id, status=Tenant.Status.ACTIVE).first()
    if tenant is None:
        return None
    connection: Connection | None = Connection.objects.for_tenant(tenant).first()
    if connection is None or not connection.is_connected:
        return None
    return connection


@db_task()
def deliver_push(tenant_id: int, push_id: int) -> None:
    connection = _connection(tenant_id)
    if connection is None:
        return
    try:
        sync.push_now(connection, push_id)
    except sync.BusyError:
        deliver_push.schedule(args=(tenant_id, push_id), delay=RETRY_SECONDS)


@db_task()
def sync_tenant(tenant_id: int, full: bool = False) -> None:
    connection = _connection(tenant_id)
    if connection is None:
        return
    try:
        report = sync.sync(connection, full=full)
    except sync.BusyError:
        return  # the running round, or the next poll, covers it
    if report.errors:
        log.warning("e-conomic sync of tenant %s: %d errors", tenant_id, len(report.errors))


def _connected_tenants() -> list[int]:
    return list(
        Connection.objects.dangerously_unscoped()
        .filter(status__in=[Connection.Status.CONNECTED, Connection.Status.FAILING])
        .filter(tenant__status=Tenant.Status.ACTIVE)
        .values_list("tenant_id", flat=True)
    )


@db_periodic_task(crontab(minute="*/5"))
def poll_economic() -> None:
    """Every five minutes: one incremental round per connected tenant."""
    for tenant_id in _connected_tenants():
        sync_tenant(tenant_id)


@db_periodic_task(crontab(hour="1", minute="15"))
def reconcile_economic() -> None:
    """Nightly: a complete listing per tenant, deletions in e-conomic archived here."""
    for tenant_id in _connected_tenants():
        sync_tenant(tenant_id, full=True)
