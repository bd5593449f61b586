"""Every write of the e-conomic integration: connecting, the push outbox, conflicts, web hooks."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from django.db import IntegrityError, transaction

from budstikke.core import clock
from budstikke.customers.models import Customer, SyncState
from budstikke.economic import sync
from budstikke.economic.fields import FIELD_MAP
from budstikke.economic.merge import ECONOMIC_OWNED
from budstikke.economic.models import Conflict, ConflictPolicy, Connection, HookCall, Push
from budstikke.tenants.models import Tenant


def connection_of(tenant: Tenant) -> Connection | None:
    found: Connection | None = Connection.objects.for_tenant(tenant).first()
    return found


def _schedule_push(tenant_id: int, push_id: int) -> None:
    from budstikke.economic.tasks import deliver_push

    deliver_push(tenant_id, push_id)


def note_local_change(customer: Customer) -> None:
    """Called in the transaction of a local edit: queue the push if e-conomic is connected."""
    connection = connection_of(customer.tenant)
    if connection is None or not connection.is_connected:
        if customer.sync_state == SyncState.LOCAL:
            return
        sync.refresh_state(customer)
        return
    push = sync.ensure_push(customer)
    sync.refresh_state(customer)
    transaction.on_commit(lambda: _schedule_push(customer.tenant_id, push.pk))


@transaction.atomic
def store_grant(
    tenant: Tenant,
    grant_token: str,
    *,
    agreement_number: int | None,
    company_name: str,
    base_url: str = "",
    app_secret_token: str | None = None,
) -> Connection:
    """Keep the grant token (encrypted under the tenant's key) once it has been checked."""
    connection = connection_of(tenant) or Connection(tenant=tenant)
    connection.grant_token = grant_token
    connection.base_url = base_url
    connection.app_secret_token = app_secret_token
    connection.agreement_number = agreement_number
    connection.company_name = company_name[:255]
    connection.status = Connection.Status.CONNECTED
    connection.last_error = ""
    connection.connected_at = clock.now()
    if not connection.hook_secret:
        connection.hook_secret = secrets.token_urlsafe(24)
    connection.save()
    return connection


def check_grant(tenant: Tenant, grant_token: str, **options: Any) -> Connection:
    """`GET /self` with the new token, then store it; raises the client's error if refused."""
    probe = Connection(tenant=tenant, grant_token=grant_token, **options)
    with sync.client_for(probe) as client:
        me = client.get_self()
    company = me.get("company") if isinstance(me.get("company"), dict) else {}
    number = me.get("agreementNumber")
    return store_grant(
        tenant,
        grant_token,
        agreement_number=int(number) if isinstance(number, int) else None,
        company_name=str((company or {}).get("name", "")),
        **options,
    )


@transaction.atomic
def disconnect(connection: Connection) -> None:
    """Forget the grant token; links and history stay, so reconnecting resumes the sync."""
    connection.grant_token = None
    connection.app_secret_token = None
    connection.status = Connection.Status.DISCONNECTED
    connection.save()
    Push.objects.for_tenant(connection.tenant).filter(
        status__in=[Push.Status.PENDING, Push.Status.SENDING]
    ).update(status=Push.Status.DONE, done_at=clock.now(), last_error="disconnected")
    for customer in Customer.objects.for_tenant(connection.tenant).exclude(
        sync_state=SyncState.LOCAL
    ):
        sync.refresh_state(customer)


@transaction.atomic
def set_policy(connection: Connection, policy: str) -> None:
    connection.policy = ConflictPolicy(policy)
    connection.save(update_fields=["policy"])


@transaction.atomic
def dismiss_conflict(conflict: Conflict) -> None:
    conflict.resolution = Conflict.Resolution.DISMISSED
    conflict.resolved_at = clock.now()
    conflict.save(update_fields=["resolution", "resolved_at"])
    sync.refresh_state(conflict.customer)


class CannotReapplyError(Exception):
    """e-conomic owns the field: the value must be changed there."""


@transaction.atomic
def reapply_conflict(conflict: Conflict) -> None:
    """Put the losing value back in Budstikke; the next push sends it to e-conomic."""
    if conflict.field in ECONOMIC_OWNED:
        raise CannotReapplyError(conflict.field)
    customer = conflict.customer
    value = conflict.lost_value
    attr = FIELD_MAP.get(conflict.field)
    if attr is None:
        raise CannotReapplyError(conflict.field)
    from budstikke.customers.actions import update_customer

    conflict.resolution = Conflict.Resolution.REAPPLIED
    conflict.resolved_at = clock.now()
    conflict.save(update_fields=["resolution", "resolved_at"])
    update_customer(customer, **{attr: value if value is not None else ""})


def hook_secret_matches(connection: Connection, presented: str) -> bool:
    expected = connection.hook_secret or ""
    return bool(expected) and hmac.compare_digest(expected.encode(), presented.encode())


def queue_hook_call(connection: Connection, old: int, new: int) -> bool:
    """Queue a "customer updated" call; False when an equal call was already waiting."""
    try:
        with transaction.atomic():
            HookCall.objects.create(tenant_id=connection.tenant_id, old_number=old, new_number=new)
    except IntegrityError:
        return False
    tenant_id = connection.tenant_id
    transaction.on_commit(lambda: _schedule_hooks(tenant_id))
    return True


def _schedule_hooks(tenant_id: int) -> None:
    from budstikke.economic.tasks import sync_tenant

    sync_tenant(tenant_id)
