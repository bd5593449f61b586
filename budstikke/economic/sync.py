"""The two-way customer sync with e-conomic.

One round (`sync`) pulls what changed in e-conomic since the cursor (minus an overlap, sorted,
de-duplicated by customerNumber), merges each customer field by field against the last agreed
snapshot (merge.py: field ownership, the tenant's policy, conflicts kept), then delivers the
push outbox: GET just before PUT, merge again, PUT the whole object, and keep what e-conomic
returned as the new base (echo suppression). A full round also diffs customerNumbers — only
after the complete listing arrived — and archives locally what is gone from e-conomic.

Which side changed is decided against the base alone; no wall-clock comparison between the
two systems is ever made. One sync or push at a time per tenant (a cache lock), so a pull
and a push never write the same base concurrently.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Max

from budstikke.core import clock
from budstikke.core.outbox import Schedule
from budstikke.customers import search
from budstikke.customers.models import Customer, SyncState
from budstikke.economic.client import EconomicClient, updated_since
from budstikke.economic.errors import (
    BudgetExhaustedError,
    EconomicError,
    InvalidDataError,
    InvalidResponseError,
    NotFoundError,
    RateLimitedError,
    UnauthorizedError,
)
from budstikke.economic.fields import REQUIRED_DEFAULTS, apply_fields, local_fields
from budstikke.economic.merge import (
    Policy,
    canonical_fields,
    from_economic,
    merge,
    snapshot_hash,
    to_economic,
)
from budstikke.economic.models import Conflict, Connection, CustomerLink, HookCall, Push

log = logging.getLogger(__name__)

# e-conomic stamps lastUpdated to the second and many records share one; its clock and ours
# may differ a little. Pulling from (cursor - overlap) and de-duplicating covers both.
OVERLAP = timedelta(minutes=2)
LOCK_SECONDS = 900
MAX_PUSH_ATTEMPTS = 10
CLAIM_SECONDS = 300
BATCH = 1000
PUSH_BATCH = 500  # pushes per sync round; the rest go in the next
PUSHES = Schedule(
    waiting=Push.Status.PENDING,
    max_attempts=MAX_PUSH_ATTEMPTS,
    claim_for=timedelta(seconds=CLAIM_SECONDS),
    first_wait=timedelta(seconds=30),  # 30 s, 1 min, 2 min, … an hour at most
    longest_wait=timedelta(hours=1),
)

ClientFactory = Callable[[Connection], EconomicClient]
_factories: list[ClientFactory] = []  # innermost `using_clients` last


def client_for(connection: Connection) -> EconomicClient:
    """A client for the tenant's agreement (tests and benchmarks swap the factory)."""
    if _factories:
        return _factories[-1](connection)
    return EconomicClient(
        connection.grant_token or "",
        app_secret_token=connection.app_secret_token or None,
        base_url=connection.base_url or None,
    )


@contextmanager
def using_clients(factory: ClientFactory) -> Iterator[None]:
    _factories.append(factory)
    try:
        yield
    finally:
        _factories.remove(factory)


class BusyError(Exception):
    """Another sync or push of this tenant is running."""


@contextmanager
def tenant_lock(tenant_id: int) -> Iterator[None]:
    key = f"economic:sync-lock:{tenant_id}"
    if not cache.add(key, 1, timeout=LOCK_SECONDS):
        raise BusyError(str(tenant_id))
    try:
        yield
    finally:
        cache.delete(key)


@dataclass
class Report:
    pulled: int = 0
    pages: int = 0
    created_here: int = 0
    updated_here: int = 0
    unchanged: int = 0
    created_there: int = 0
    updated_there: int = 0
    archived_here: int = 0
    conflicts: int = 0
    pushes_waiting: int = 0
    api_calls: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def quiet(self) -> bool:
        """Nothing happened and nothing failed: the two sides agree."""
        return not (
            self.created_here
            or self.updated_here
            or self.created_there
            or self.updated_there
            or self.archived_here
            or self.conflicts
            or self.pushes_waiting
            or self.errors
        )

    def lines(self) -> list[str]:
        return [
            f"pulled {self.pulled} customers from e-conomic in {self.api_calls} API calls",
            f"Budstikke: {self.created_here} created, {self.updated_here} updated, "
            f"{self.archived_here} archived (gone from e-conomic), {self.unchanged} unchanged",
            f"e-conomic: {self.created_there} created, {self.updated_there} updated",
            f"conflicts recorded: {self.conflicts}; pushes still waiting: {self.pushes_waiting}",
            *(f"error: {error}" for error in self.errors),
            f"took {self.seconds:.2f} s",
        ]


# State of one customer -----------------------------------------------------------------


def refresh_state(customer: Customer) -> str:
    """The sync state the lists show, from the outbox, conflicts and link."""
    tenant = customer.tenant
    open_conflict = (
        Conflict.objects.for_tenant(tenant)
        .filter(customer=customer, resolution=Conflict.Resolution.OPEN)
        .exists()
    )
    pushes = Push.objects.for_tenant(tenant).filter(customer=customer)
    if open_conflict:
        state = SyncState.CONFLICT
    elif pushes.filter(status=Push.Status.FAILED).exists():
        state = SyncState.ERROR
    elif pushes.filter(status__in=[Push.Status.PENDING, Push.Status.SENDING]).exists():
        state = SyncState.PENDING
    elif CustomerLink.objects.for_tenant(tenant).filter(customer=customer).exists():
        state = SyncState.IN_SYNC
    else:
        state = SyncState.LOCAL
    if customer.sync_state != state:
        Customer.objects.for_tenant(tenant).filter(pk=customer.pk).update(sync_state=state)
        customer.sync_state = state
    return state


def _base_fields(link: CustomerLink) -> dict[str, Any] | None:
    base = link.base or {}
    fields = base.get("fields")
    return dict(fields) if isinstance(fields, dict) else None


def _set_base(link: CustomerLink, fields: Mapping[str, Any]) -> None:
    canonical = canonical_fields(fields)
    link.base = {"fields": canonical, "hash": snapshot_hash(canonical)}


def _local_for_merge(customer: Customer, base: Mapping[str, Any] | None) -> dict[str, Any]:
    """An archived customer's `barred` is Budstikke's decision, applied after the merge; in the
    merge it must not look like an edit of a field e-conomic owns."""
    local = local_fields(customer)
    if customer.is_archived:
        local.pop("barred", None)
        if base and base.get("barred"):
            local["barred"] = True
    return local


def _record_conflicts(customer: Customer, conflicts: Any) -> int:
    count = 0
    for conflict in conflicts:
        Conflict.objects.create(
            tenant_id=customer.tenant_id,
            customer=customer,
            field=conflict.field,
            winner=str(conflict.winner),
            reason=str(conflict.reason),
            values={
                "base": conflict.base,
                "economic": conflict.economic,
                "budstikke": conflict.budstikke,
            },
        )
        count += 1
    return count


def _save_local(customer: Customer, changes: Mapping[str, Any]) -> None:
    if not changes:
        return
    name_changed = apply_fields(customer, changes)
    customer.updated_at = clock.now()
    customer.save()
    if name_changed:
        search.index_name(customer)


def ensure_push(customer: Customer) -> Push:
    """One waiting push per customer: later edits ride on the waiting one."""
    waiting: Push | None = (
        Push.objects.for_tenant(customer.tenant)
        .filter(customer=customer, status=Push.Status.PENDING)
        .first()
    )
    if waiting is None:
        waiting = Push.objects.create(tenant_id=customer.tenant_id, customer=customer)
    return waiting


def customer_number(item: Mapping[str, Any]) -> int:
    """The customerNumber of a customer e-conomic sent; anything else is an unreadable answer."""
    number = item.get("customerNumber")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise InvalidResponseError(f"customer without a valid customerNumber: {type(number)}")
    return number


# The engine ----------------------------------------------------------------------------


class Engine:
    """One tenant's sync, with its client and the report of what it did."""

    def __init__(self, connection: Connection, client: EconomicClient) -> None:
        self.connection = connection
        self.tenant = connection.tenant
        self.client = client
        self.policy = Policy(connection.policy)
        self.report = Report()

    # Pull
    def pull(self, *, full: bool) -> None:
        started = clock.now()
        connection = self.connection
        if full or connection.cursor is None:
            items = self.client.iter_customers(sort="customerNumber")
        else:
            since = updated_since(connection.cursor - OVERLAP)
            items = self.client.iter_customers(filter=since, sort="lastUpdated")
        seen: dict[int, dict[str, Any]] = {}
        batch: dict[int, dict[str, Any]] = {}
        for item in items:  # the whole listing, or an exception: never half a cursor
            number = customer_number(item)
            if number in seen:
                batch[number] = item  # same customer again on a later page: newest wins
            seen[number] = item
            batch[number] = item
            if len(batch) >= BATCH:
                self.absorb(list(batch.values()))
                batch.clear()
        if batch:
            self.absorb(list(batch.values()))
        self.report.pulled = len(seen)
        if full:
            self.reconcile(set(seen))
            connection.last_full_sync_at = started
        highest = max(seen, default=0)
        Connection.objects.filter(pk=connection.pk).update(
            cursor=started,
            last_full_sync_at=connection.last_full_sync_at,
            highest_number=max(connection.highest_number, highest),
        )
        connection.cursor = started
        connection.highest_number = max(connection.highest_number, highest)

    def absorb(self, items: list[dict[str, Any]]) -> None:
        """Merge a batch of e-conomic customers into Budstikke."""
        tenant = self.tenant
        numbers = [customer_number(item) for item in items]
        links = {
            link.customer_number: link
            for link in CustomerLink.objects.for_tenant(tenant)
            .filter(customer_number__in=numbers)
            .select_related("customer")
        }
        waiting = {
            customer.customer_number: customer
            for customer in Customer.objects.for_tenant(tenant).filter(
                customer_number__in=[n for n in numbers if n not in links]
            )
        }
        fresh: list[dict[str, Any]] = []
        for item in items:
            number = int(item["customerNumber"])
            try:
                if number in links:
                    self._merge_linked(links[number], item)
                elif number in waiting:
                    self._adopt(waiting[number], item, fresh)
                else:
                    fresh.append(item)
            except EconomicError as exc:
                self.report.errors.append(f"customer {number}: {type(exc).__name__}")
        if fresh:
            self._create_here(fresh)

    def _merge_linked(self, link: CustomerLink, item: Mapping[str, Any]) -> None:
        if link.erased_at is not None:
            self.report.unchanged += 1  # erased here on request: e-conomic's copy stays there
            return
        customer = link.customer
        customer.tenant = self.tenant
        remote = from_economic(item)
        base = _base_fields(link)
        local = _local_for_merge(customer, base)
        if base is not None and remote == base and local == base and link.gone_at is None:
            self.report.unchanged += 1  # echo of our own write, or a change of unmapped data
            return
        result = merge(base, remote, local, policy=self.policy)
        with transaction.atomic():
            _save_local(customer, result.pull)
            if result.pull:
                self.report.updated_here += 1
            else:
                self.report.unchanged += 1
            self.report.conflicts += _record_conflicts(customer, result.conflicts)
            _set_base(link, remote)
            link.gone_at = None
            link.save()
            if result.push or (customer.is_archived and not remote.get("barred")):
                ensure_push(customer)
            refresh_state(customer)

    def _adopt(
        self, customer: Customer, item: Mapping[str, Any], fresh: list[dict[str, Any]]
    ) -> None:
        """A customer Budstikke created whose POST succeeded unseen (connection dropped)."""
        remote = from_economic(item)
        if remote.get("name") != local_fields(customer).get("name"):
            # Someone else took the number we had reserved: ours must choose another.
            with transaction.atomic():
                customer.customer_number = None
                customer.save(update_fields=["customer_number"])
            fresh.append(dict(item))
            return
        result = merge(None, remote, _local_for_merge(customer, None), policy=self.policy)
        with transaction.atomic():
            _save_local(customer, result.pull)
            self.report.conflicts += _record_conflicts(customer, result.conflicts)
            link = CustomerLink(
                tenant_id=self.tenant.pk,
                customer=customer,
                customer_number=int(item["customerNumber"]),
            )
            _set_base(link, remote)
            link.save()
            if result.push:
                ensure_push(customer)
            refresh_state(customer)

    def _create_here(self, items: list[dict[str, Any]]) -> None:
        """Customers new in e-conomic, created in bulk (an initial sync brings thousands)."""
        tenant = self.tenant
        now = clock.now()
        customers: list[Customer] = []
        for item in items:
            customer = Customer(tenant=tenant, created_at=now, updated_at=now)
            customer.customer_number = int(item["customerNumber"])
            apply_fields(customer, from_economic(item))
            customer.sync_state = SyncState.IN_SYNC
            customers.append(customer)
        with transaction.atomic():
            Customer.objects.bulk_create(customers)
            links = []
            for customer, item in zip(customers, items, strict=True):
                link = CustomerLink(
                    tenant_id=tenant.pk,
                    customer=customer,
                    customer_number=int(item["customerNumber"]),
                )
                _set_base(link, from_economic(item))
                links.append(link)
            CustomerLink.objects.bulk_create(links)
            search.bulk_index(customers)
        self.report.created_here += len(customers)

    def reconcile(self, present: set[int]) -> None:
        """After a complete listing: customers gone from e-conomic are archived here."""
        now = clock.now()
        live = CustomerLink.objects.for_tenant(self.tenant).filter(gone_at__isnull=True)
        gone_ids = [pk for pk, n in live.values_list("pk", "customer_number") if n not in present]
        for link in live.filter(pk__in=gone_ids).select_related("customer"):
            customer = link.customer
            with transaction.atomic():
                link.gone_at = now
                link.save(update_fields=["gone_at"])
                if customer.archived_at is None:
                    customer.archived_at = now
                    customer.save(update_fields=["archived_at"])
                Push.objects.for_tenant(self.tenant).filter(
                    customer=customer, status__in=[Push.Status.PENDING, Push.Status.FAILED]
                ).update(status=Push.Status.DONE, done_at=now, last_error="gone from e-conomic")
                refresh_state(customer)
            self.report.archived_here += 1

    # Push
    def deliver_due(self) -> None:
        pushes = Push.objects.for_tenant(self.tenant)
        for push_id in PUSHES.due_ids(pushes, limit=PUSH_BATCH):
            self.deliver(push_id)
        self.report.pushes_waiting = (
            Push.objects.for_tenant(self.tenant)
            .filter(status__in=[Push.Status.PENDING, Push.Status.SENDING])
            .count()
        )

    def _claim(self, push_id: int) -> Push | None:
        if not PUSHES.claim(Push.objects.for_tenant(self.tenant), push_id):
            return None
        push: Push = Push.objects.for_tenant(self.tenant).select_related("customer").get(pk=push_id)
        return push

    def deliver(self, push_id: int) -> None:
        push = self._claim(push_id)
        if push is None:
            return
        customer = push.customer
        customer.tenant = self.tenant
        try:
            link = CustomerLink.objects.for_tenant(self.tenant).filter(customer=customer).first()
            if link is None:
                self._create_there(customer)
            elif link.gone_at is None:
                self._update_there(customer, link)
        except EconomicError as exc:
            self._failed(push, exc)
            return
        with transaction.atomic():
            PUSHES.mine(Push.objects.for_tenant(self.tenant), push).update(
                status=Push.Status.DONE, done_at=clock.now(), claimed_until=None, last_error=""
            )
            refresh_state(customer)

    def _failed(self, push: Push, exc: EconomicError) -> None:
        wait = None
        if isinstance(exc, RateLimitedError) and exc.retry_after:
            wait = timedelta(seconds=exc.retry_after)
        elif isinstance(exc, BudgetExhaustedError):
            wait = timedelta(hours=1)
        retry = PUSHES.retry(push.attempts, clock.now(), wait)
        if isinstance(exc, InvalidDataError):
            retry["status"] = Push.Status.FAILED  # the data must change first; a retry cannot help
        if isinstance(exc, UnauthorizedError):
            Connection.objects.filter(pk=self.connection.pk).update(
                status=Connection.Status.FAILING, last_error=type(exc).__name__
            )
        message = type(exc).__name__
        if isinstance(exc, InvalidDataError):
            message = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.field_errors.items())[:500]
        with transaction.atomic():
            PUSHES.mine(Push.objects.for_tenant(self.tenant), push).update(
                **retry, last_error=message
            )
            refresh_state(push.customer)
        self.report.errors.append(f"push of customer {push.customer_id}: {type(exc).__name__}")

    def _next_number(self) -> int:
        tenant = self.tenant
        highest = max(
            self.connection.highest_number,
            CustomerLink.objects.for_tenant(tenant).aggregate(m=Max("customer_number"))["m"] or 0,
            Customer.objects.for_tenant(tenant).aggregate(m=Max("customer_number"))["m"] or 0,
        )
        return int(highest) + 1

    def _reserve_number(self, customer: Customer) -> int:
        """Choose the customerNumber before the POST and commit it: it is the create's
        idempotency key, the same on every retry."""
        if customer.customer_number:
            return int(customer.customer_number)
        for _attempt in range(5):
            number = self._next_number()
            try:
                with transaction.atomic():
                    Customer.objects.for_tenant(self.tenant).filter(pk=customer.pk).update(
                        customer_number=number
                    )
            except IntegrityError:
                self.connection.highest_number = number
                continue
            customer.customer_number = number
            return number
        raise InvalidDataError(400, {"message": "no free customer number"})

    def _create_there(self, customer: Customer) -> None:
        for _attempt in range(5):
            number = self._reserve_number(customer)
            body = to_economic({}, REQUIRED_DEFAULTS | _local_for_merge(customer, None))
            body["customerNumber"] = number
            if customer.is_archived:
                body["barred"] = True
            created: dict[str, Any] | None
            try:
                created = self.client.create_customer(body, match_on="customerNumber")
            except InvalidDataError as exc:
                if "customerNumber" not in exc.field_errors:
                    raise
                created = self._ours_or_none(customer, number)
                if created is None:  # taken by someone in e-conomic: choose another
                    self.connection.highest_number = max(self.connection.highest_number, number)
                    with transaction.atomic():
                        Customer.objects.for_tenant(self.tenant).filter(pk=customer.pk).update(
                            customer_number=None
                        )
                    customer.customer_number = None
                    continue
            if local_fields(customer).get("name") != from_economic(created).get("name"):
                # The number answered with someone else's customer: choose another one.
                customer.customer_number = None
                Customer.objects.for_tenant(self.tenant).filter(pk=customer.pk).update(
                    customer_number=None
                )
                self.connection.highest_number = max(self.connection.highest_number, number)
                continue
            self._linked(customer, created)
            self.report.created_there += 1
            return
        raise InvalidDataError(400, {"message": "could not find a free customer number"})

    def _ours_or_none(self, customer: Customer, number: int) -> dict[str, Any] | None:
        try:
            found = self.client.get_customer(number)
        except NotFoundError:
            return None
        same = from_economic(found).get("name") == local_fields(customer).get("name")
        return found if same else None

    def _linked(self, customer: Customer, created: Mapping[str, Any]) -> None:
        remote = from_economic(created)
        with transaction.atomic():
            link = CustomerLink(
                tenant_id=self.tenant.pk,
                customer=customer,
                customer_number=int(created["customerNumber"]),
            )
            _set_base(link, remote)
            link.save()
            if customer.is_archived and remote.get("barred") and not customer.barred:
                _save_local(customer, {"barred": True})
            if _local_for_merge(customer, remote) != remote:
                ensure_push(customer)  # edited while the POST was under way

    def _update_there(self, customer: Customer, link: CustomerLink) -> None:
        try:
            current = self.client.get_customer(link.customer_number)  # re-read just before PUT
        except NotFoundError:
            return  # deleted there; the full reconciliation archives it here
        base = _base_fields(link)
        remote = from_economic(current)
        result = merge(base, remote, _local_for_merge(customer, base), policy=self.policy)
        target = dict(result.economic)
        if customer.is_archived:
            target["barred"] = True
        agreed = remote
        if target != remote:
            returned = self.client.replace_customer(
                link.customer_number, to_economic(current, REQUIRED_DEFAULTS | target)
            )
            agreed = from_economic(returned)
            self.report.updated_there += 1
        with transaction.atomic():
            pull = dict(result.pull)
            if customer.is_archived and agreed.get("barred"):
                pull["barred"] = True
            _save_local(customer, pull)
            self.report.conflicts += _record_conflicts(customer, result.conflicts)
            _set_base(link, agreed)
            link.save()

    # Local customers never pushed (created before the tenant connected)
    def queue_unlinked(self) -> None:
        linked = CustomerLink.objects.for_tenant(self.tenant).values("customer_id")
        waiting = Push.objects.for_tenant(self.tenant).filter(
            status__in=[Push.Status.PENDING, Push.Status.SENDING, Push.Status.FAILED]
        )
        unlinked = (
            Customer.objects.for_tenant(self.tenant)
            .filter(archived_at__isnull=True)
            .exclude(pk__in=linked)
            .exclude(pk__in=waiting.values("customer_id"))
        )
        for customer in unlinked:
            with transaction.atomic():
                ensure_push(customer)
                refresh_state(customer)

    # Web hooks
    def process_hooks(self) -> None:
        calls = HookCall.objects.for_tenant(self.tenant).filter(processed_at__isnull=True)
        for call in calls.order_by("pk")[:500]:
            try:
                self.process_hook(call)
            except EconomicError as exc:
                self.report.errors.append(f"web hook {call.new_number}: {type(exc).__name__}")

    def process_hook(self, call: HookCall) -> None:
        """Re-fetch the customer named by the call (it carries no data); a 404 is left to the
        full reconciliation, which alone decides deletions."""
        tenant = self.tenant
        if call.old_number != call.new_number:
            links = CustomerLink.objects.for_tenant(tenant)
            taken = links.filter(customer_number=call.new_number).exists()
            old = links.filter(customer_number=call.old_number).select_related("customer").first()
            if old is not None and not taken:
                with transaction.atomic():
                    old.customer_number = call.new_number
                    old.save(update_fields=["customer_number"])
                    Customer.objects.for_tenant(tenant).filter(pk=old.customer_id).update(
                        customer_number=call.new_number
                    )
        try:
            item = self.client.get_customer(call.new_number)
        except NotFoundError:
            item = None
        if item is not None:
            self.absorb([item])
        HookCall.objects.for_tenant(tenant).filter(pk=call.pk).update(processed_at=clock.now())


def _calls(client: EconomicClient) -> int:
    return client.budget.used()


def sync(
    connection: Connection, *, full: bool = False, client: EconomicClient | None = None
) -> Report:
    """One round: web hook calls, pull (full: with reconciliation of deletions), pushes."""
    started = time.perf_counter()
    own = client is None
    client = client or client_for(connection)
    engine = Engine(connection, client)
    before = _calls(client)
    try:
        with tenant_lock(connection.tenant_id):
            try:
                engine.process_hooks()
                engine.pull(full=full)
                engine.queue_unlinked()
                engine.deliver_due()
            except EconomicError as exc:
                engine.report.errors.append(type(exc).__name__)
                log.warning("e-conomic sync of tenant %s: %s", connection.tenant_id, exc)
            error = engine.report.errors[-1] if engine.report.errors else ""
            Connection.objects.filter(pk=connection.pk).update(
                last_sync_at=clock.now(), last_error=error[:200]
            )
    finally:
        engine.report.api_calls = _calls(client) - before
        engine.report.seconds = time.perf_counter() - started
        if own:
            client.close()
    return engine.report


def push_now(connection: Connection, push_id: int) -> None:
    """Deliver one push (the worker's job after a local edit commits)."""
    with client_for(connection) as client, tenant_lock(connection.tenant_id):
        Engine(connection, client).deliver(push_id)
