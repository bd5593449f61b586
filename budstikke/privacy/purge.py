"""The retention purge: one job that enforces every rule of the registry (invariant 5).

Each rule's rows are found with `clock.now()`, walked by primary key in batches of
`BATCH_SIZE` (each batch its own short transaction, so a tenant with a million shipments
never needs a million-row transaction nor holds them in memory), and deleted, anonymised or
shortened. What each rule did is written as `PurgeCount`s per tenant (tenant null for the
platform's own data). A dry run walks the same rows and counts them without changing any.

Legal hold: a shipment past its 8 years that is still on an invoice inside the 5-year
bookkeeping period is not deleted; it loses its personal fields, its tracking events and its
proof of delivery, and keeps the financial fields the invoice needs.

Shipping labels are rendered from the shipment on request and never stored, and signatures
and photos live encrypted in `dispatch.StopUpdate` rows: deleting the rows deletes them.
"""

from __future__ import annotations

import ipaddress
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce, Length

from budstikke.core import clock
from budstikke.core.tenancy import TenantManager
from budstikke.privacy import registry
from budstikke.privacy.models import PurgeCount, PurgeRun
from budstikke.privacy.registry import ANONYMISE, DELETE, TRUNCATE_IP, Rule
from budstikke.vault import envelope
from budstikke.vault.fields import (
    RECORD,
    BlindIndexField,
    Ciphertext,
    EncryptedBinaryField,
    EncryptedColumnField,
    RecordField,
    encrypted_fields,
    record_fields,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# Rows of a financial year go once its period is over in every zone a tenant can have:
# the year is taken to end 14 hours early (UTC+14), never late.
_ZONE_MARGIN = timedelta(hours=14)
# An IPv4 address already cut to its /24, or an IPv6 address cut to its /48 (or shorter).
_TRUNCATED_IP = r"^([0-9]+\.[0-9]+\.[0-9]+\.0|[0-9a-f]{0,4}(:[0-9a-f]{1,4}){0,2}::)$"

type TenantId = int | None


# -- cut-offs ---------------------------------------------------------------------------


def _years_before(moment: datetime, count: int) -> datetime:
    try:
        return moment.replace(year=moment.year - count)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - count, day=28)


def cutoff(rule: Rule, now: datetime) -> datetime:
    """Rows whose start event is before this moment are due under `rule`."""
    if rule.financial_year:
        # A row of year Y is due once year Y + 1 + N has begun, i.e. Y < now.year - N.
        year_start = datetime(now.year - rule.calendar_years, 1, 1, tzinfo=UTC)
        return year_start - _ZONE_MARGIN
    if rule.calendar_years:
        return _years_before(now, rule.calendar_years)
    if rule.period is None:
        raise ValueError(f"rule {rule.key} keeps its rows: it has no cut-off")
    return now - rule.period


# -- the job ----------------------------------------------------------------------------


@dataclass
class _Job:
    now: datetime
    dry_run: bool
    counts: Counter[tuple[str, str, TenantId]] = field(default_factory=Counter)

    def add(self, key: str, action: str, tenant_id: TenantId, count: int) -> None:
        if count:
            self.counts[(key, action, tenant_id)] += count

    def cutoff(self, key: str) -> datetime:
        return cutoff(registry.rule(key), self.now)


@dataclass(frozen=True)
class _Child:
    """Rows that go with their parent's row, counted under their own rule."""

    key: str
    model: str
    fk: str  # attname of the foreign key to the parent, e.g. "shipment_id"


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _tenant_attr(model: type[models.Model]) -> str | None:
    """Tenant-owned rows are counted per tenant; the platform's own per nobody."""
    return "tenant_id" if isinstance(model._default_manager, TenantManager) else None


def _pages(queryset: models.QuerySet[Any], *columns: str) -> Iterable[list[tuple[Any, ...]]]:
    """(pk, *columns) of the queryset's rows, BATCH_SIZE at a time, by primary key. A page
    is read after the previous one was changed, so deleted rows are never read twice."""
    ordered = queryset.order_by("pk")
    last: Any = None
    while True:
        page = ordered if last is None else ordered.filter(pk__gt=last)
        rows = list(page.values_list("pk", *columns)[:BATCH_SIZE])
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def _by_tenant(rows: Sequence[tuple[Any, ...]], has_tenant: bool) -> Counter[TenantId]:
    return Counter(row[1] if has_tenant else None for row in rows)


def _remove_children(job: _Job, children: Sequence[_Child], ids: list[Any]) -> None:
    for child in children:
        model = _model(child.model)
        rows = model._base_manager.filter(**{f"{child.fk}__in": ids})
        tenant_attr = _tenant_attr(model)
        if tenant_attr:
            grouped = rows.order_by().values_list(tenant_attr).annotate(n=Count("pk"))
            for tenant_id, count in grouped:
                job.add(child.key, DELETE, tenant_id, count)
        else:
            job.add(child.key, DELETE, None, rows.count())
        if not job.dry_run:
            rows.delete()


def _sweep(
    job: _Job, key: str, queryset: models.QuerySet[Any], children: Sequence[_Child] = ()
) -> None:
    """Delete the queryset's rows (children first), batch by batch."""
    model = queryset.model
    tenant_attr = _tenant_attr(model)
    columns = (tenant_attr,) if tenant_attr else ()
    for rows in _pages(queryset, *columns):
        ids = [row[0] for row in rows]
        with transaction.atomic():
            _remove_children(job, children, ids)
            if not job.dry_run:
                model._base_manager.filter(pk__in=ids).delete()
        for tenant_id, count in _by_tenant(rows, bool(tenant_attr)).items():
            job.add(key, DELETE, tenant_id, count)


def _blank_column(target: EncryptedColumnField, tenant_id: int, seal_id: Any) -> Any:
    """The stored value of an anonymised encrypted column that cannot be NULL: an empty
    value sealed for this row (the column cannot hold plaintext)."""
    empty = b"" if isinstance(target, EncryptedBinaryField) else ""
    sealed: Ciphertext = target.seal_raw(tenant_id, seal_id, target.encode(empty))
    return sealed


def _personal_fields(model: type[models.Model]) -> tuple[list[str], list[str]]:
    """(encrypted fields, blind indexes) of a model: what anonymising empties."""
    encrypted = [f.name for f in encrypted_fields(model)]
    indexes = [f.attname for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
    return encrypted, indexes


@dataclass(frozen=True)
class _Blanking:
    """The encrypted fields anonymising empties, by where they are stored."""

    record: bool  # the row's sealed record goes (`sealed` NULL: every record field empty)
    columns: tuple[EncryptedColumnField, ...]  # encrypted columns, a column each
    indexes: tuple[str, ...]  # blind indexes over these fields (attnames)

    @classmethod
    def of(
        cls, model: type[models.Model], names: Sequence[str], indexes: Sequence[str] = ()
    ) -> _Blanking:
        """`indexes`: further blind indexes to clear (those over `names` always are).
        A rule anonymises a model's record fields all together or none of them: the record
        is one ciphertext, and dropping it needs no decryption."""
        targets = [model._meta.get_field(name) for name in names]
        record = {f.name for f in targets if isinstance(f, RecordField)}
        columns = tuple(f for f in targets if isinstance(f, EncryptedColumnField))
        if len(record) + len(columns) != len(targets):
            raise TypeError(f"{model.__name__}: only encrypted fields are anonymised: {names}")
        if record and record != {f.name for f in record_fields(model)}:
            raise TypeError(
                f"{model.__name__}: anonymise all of its record fields or none ({sorted(record)})"
            )
        over = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, BlindIndexField) and f.source in names
        ]
        return cls(bool(record), columns, tuple(dict.fromkeys([*indexes, *over])))


def _not_blank(queryset: models.QuerySet[Any], names: Sequence[str]) -> models.QuerySet[Any]:
    """The queryset's rows where any of these encrypted fields holds more than an empty
    value: rows with a sealed record, and encrypted columns longer than a sealed empty
    value."""
    blanking = _Blanking.of(queryset.model, names)
    query = Q(**{f"{RECORD}__isnull": False}) if blanking.record else Q()
    lengths = {f"_len_{f.attname}": Length(f.attname) for f in blanking.columns}
    for alias in lengths:
        query |= Q(**{f"{alias}__gt": envelope.MIN_LENGTH})
    found: models.QuerySet[Any] = queryset.annotate(**lengths).filter(query)
    return found


def _blank_rows(
    model: type[models.Model], blanking: _Blanking, rows: Sequence[tuple[Any, ...]]
) -> None:
    """One UPDATE for the batch (`sealed`, blind indexes and nullable columns to NULL),
    then one per row for a column that needs its own sealed empty value."""
    values: dict[str, Any] = dict.fromkeys(blanking.indexes)
    if blanking.record:
        values[RECORD] = None
    sealed = [f for f in blanking.columns if not f.null]
    values.update((f.attname, None) for f in blanking.columns if f.null)
    model._base_manager.filter(pk__in=[row[0] for row in rows]).update(**values)
    if sealed:
        for pk, tenant_id, seal_id in rows:
            model._base_manager.filter(pk=pk).update(
                **{f.attname: _blank_column(f, tenant_id, seal_id) for f in sealed}
            )


def _anonymise(
    job: _Job,
    key: str,
    queryset: models.QuerySet[Any],
    fields: Sequence[str],
    *,
    indexes: Sequence[str] = (),
    children: Sequence[_Child] = (),
) -> None:
    """Blank the encrypted `fields` of the queryset's rows and clear the blind indexes over
    them (and `indexes`), keeping the rows, batch by batch: the row's record goes (`sealed`
    NULL: every record field reads its default) without a row being opened. The queryset
    must leave out rows already blank (see `_not_blank`), or each night redoes them."""
    model = queryset.model
    blanking = _Blanking.of(model, fields, indexes)
    for rows in _pages(queryset, "tenant_id", "seal_id"):
        ids = [row[0] for row in rows]
        with transaction.atomic():
            _remove_children(job, children, ids)
            if not job.dry_run:
                _blank_rows(model, blanking, rows)
        for tenant_id, count in _by_tenant(rows, True).items():
            job.add(key, ANONYMISE, tenant_id, count)


# -- IP addresses -----------------------------------------------------------------------


def truncate_ip(address: str) -> str:
    """The /24 of an IPv4 address, the /48 of an IPv6 address, as an address."""
    ip = ipaddress.ip_address(address)
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def _truncate_source(source: str) -> str:
    """The detectors' source key ('192.0.2.7' or '2001:db8:1:2::/64') cut the same way."""
    if not source:
        return source
    try:
        network = ipaddress.ip_network(source, strict=False)
    except ValueError:
        return ""
    prefix = 24 if network.version == 4 else 48
    return str(network.supernet(new_prefix=min(prefix, network.prefixlen)))


def _truncate_security_event_ips(job: _Job) -> None:
    key = "shield.securityevent.ip"
    from budstikke.shield.models import SecurityEvent

    due = SecurityEvent.objects.filter(
        at__lt=job.cutoff(key),
        at__gte=job.cutoff("shield.securityevent"),  # older ones are deleted instead
        ip__isnull=False,
    ).exclude(ip__regex=_TRUNCATED_IP)
    for rows in _pages(due, "ip", "source"):
        changes: dict[tuple[str, str], list[int]] = {}
        for pk, ip, source in rows:
            changes.setdefault((truncate_ip(ip), _truncate_source(source)), []).append(pk)
        if not job.dry_run:
            with transaction.atomic():
                for (ip, source), ids in changes.items():
                    SecurityEvent.objects.filter(pk__in=ids).update(ip=ip, source=source)
        job.add(key, TRUNCATE_IP, None, len(rows))


# -- files ------------------------------------------------------------------------------


def _first_stamp(path: Path) -> datetime | None:
    """The time of a security-log file's first line (`2026-11-24T10:00:00Z budstikke-…`)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(20).decode("ascii", errors="replace")
        return datetime.strptime(head, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except (OSError, ValueError):
        return None


def _security_log(job: _Job) -> None:
    """The shield's security log (for fail2ban) is rotated every night, as logrotate would:
    renamed, so every process's WatchedFileHandler opens a new one and fail2ban follows.
    A rotated file goes once its first line is a day short of the rule's period, so with a
    nightly run no line outlives it."""
    configured = settings.SHIELD_SECURITY_LOG
    if configured is None:
        return
    current = Path(configured)
    rule = registry.rule(registry.SECURITY_LOG)
    assert rule.period is not None
    limit = job.now - rule.period + timedelta(days=1)
    for rotated in sorted(current.parent.glob(f"{current.name}.*")):
        started = _first_stamp(rotated)
        if started is None:
            started = datetime.fromtimestamp(rotated.stat().st_mtime, tz=UTC)
        if started < limit:
            if not job.dry_run:
                rotated.unlink(missing_ok=True)
            job.add(rule.key, DELETE, None, 1)
    if not job.dry_run and current.is_file() and current.stat().st_size > 0:
        current.replace(current.with_name(f"{current.name}.{job.now:%Y%m%dT%H%M%SZ}"))


# -- the rules --------------------------------------------------------------------------


def _billing(job: _Job) -> None:
    from budstikke.billing.models import BillingRun, Invoice

    due = job.cutoff("billing.invoice")
    _sweep(
        job,
        "billing.invoice",
        Invoice.objects.dangerously_unscoped().filter(created_at__lt=due),
        children=[_Child("billing.invoiceline", "billing.InvoiceLine", "invoice_id")],
    )
    newer = Invoice.objects.dangerously_unscoped().filter(run=OuterRef("pk"), created_at__gte=due)
    _sweep(
        job,
        "billing.billingrun",
        BillingRun.objects.dangerously_unscoped().filter(
            ~Exists(newer), created_at__lt=job.cutoff("billing.billingrun")
        ),
    )


def _licence_invoices(job: _Job) -> None:
    from budstikke.tenants.models import LicenceInvoice

    _sweep(
        job,
        "tenants.licenceinvoice",
        LicenceInvoice.objects.filter(issued_at__lt=job.cutoff("tenants.licenceinvoice")),
    )


_SHIPMENT_RECORDS = (
    # Proof of delivery before the events it points to.
    _Child("dispatch.stopupdate", "dispatch.StopUpdate", "shipment_id"),
    _Child("dispatch.assignment", "dispatch.Assignment", "shipment_id"),
    _Child("shipments.trackingevent", "shipments.TrackingEvent", "shipment_id"),
)
# Idempotency keys (30 days) and invoice lines (with their invoice, which an unheld
# shipment's invoice is past) have gone by their own rules earlier in the run; anything left
# still cascades with the shipment.
_SHIPMENT_CHILDREN = (
    *_SHIPMENT_RECORDS,
    _Child("shipments.parcel", "shipments.Parcel", "shipment_id"),
)


def _shipments(job: _Job) -> None:
    from budstikke.billing.models import InvoiceLine
    from budstikke.shipments.machine import Status
    from budstikke.shipments.models import Shipment

    due = job.cutoff("shipments.shipment")
    ended = (
        Q(status=Status.DELIVERED, delivered_at__lt=due)
        | Q(status=Status.DELIVERED, delivered_at__isnull=True, status_changed_at__lt=due)
        | Q(status__in=[Status.RETURNED, Status.CANCELLED], status_changed_at__lt=due)
    )
    on_open_books = InvoiceLine.objects.dangerously_unscoped().filter(
        shipment=OuterRef("pk"), invoice__created_at__gte=job.cutoff("billing.invoice")
    )
    past = Shipment.objects.dangerously_unscoped().filter(ended)
    _sweep(job, "shipments.shipment", past.filter(~Exists(on_open_books)), _SHIPMENT_CHILDREN)

    fields, indexes = _personal_fields(Shipment)
    held = _not_blank(past.filter(Exists(on_open_books)), fields)
    _anonymise(job, "shipments.shipment", held, fields, indexes=indexes, children=_SHIPMENT_RECORDS)


def _sms(job: _Job) -> None:
    from budstikke.notify.models import SmsMessage

    messages = SmsMessage.objects.dangerously_unscoped()
    gone = job.cutoff("notify.smsmessage")
    _sweep(job, "notify.smsmessage", messages.filter(created_at__lt=gone))
    finished = [
        SmsMessage.Status.SENT,
        SmsMessage.Status.DELIVERED,
        SmsMessage.Status.FAILED,
        SmsMessage.Status.REFUSED,
    ]
    old = messages.filter(
        created_at__lt=job.cutoff("notify.smsmessage.body"),
        created_at__gte=gone,
        status__in=finished,
    )
    fields = ("body", "phone")
    _anonymise(
        job,
        "notify.smsmessage.body",
        _not_blank(old, fields),
        fields,
        indexes=("phone_index",),
    )


def _security(job: _Job) -> None:
    from budstikke.shield.models import Ban, SecurityEvent

    _sweep(
        job,
        "shield.securityevent",
        SecurityEvent.objects.filter(at__lt=job.cutoff("shield.securityevent")),
    )
    _truncate_security_event_ips(job)
    due = job.cutoff("shield.ban")
    _sweep(job, "shield.ban", Ban.objects.filter(Q(expires_at__lt=due) | Q(lifted_at__lt=due)))


def _sessions(job: _Job) -> None:
    from django.contrib.sessions.models import Session

    _sweep(job, "sessions.session", Session.objects.filter(expire_date__lt=job.now))
    if apps.is_installed("allauth.usersessions"):
        from allauth.usersessions.models import UserSession

        live = Session.objects.filter(session_key=OuterRef("session_key"), expire_date__gte=job.now)
        idle = job.now - timedelta(seconds=settings.SESSION_COOKIE_AGE)
        _sweep(
            job,
            "usersessions.usersession",
            UserSession.objects.filter(~Exists(live) | Q(last_seen_at__lt=idle)),
        )


def _accounts(job: _Job) -> None:
    from allauth.account.models import EmailConfirmation

    from budstikke.accounts.models import OutgoingEmail
    from budstikke.tenants.models import Invitation

    _sweep(
        job,
        "account.emailconfirmation",
        EmailConfirmation.objects.filter(created__lt=job.cutoff("account.emailconfirmation")),
    )
    due = job.cutoff("accounts.outgoingemail")
    _sweep(
        job,
        "accounts.outgoingemail",
        OutgoingEmail.objects.filter(
            Q(status=OutgoingEmail.Status.SENT, sent_at__lt=due)
            | Q(status=OutgoingEmail.Status.FAILED, created_at__lt=due)
        ),
    )
    _sweep(
        job,
        "tenants.invitation",
        Invitation.objects.dangerously_unscoped().filter(
            expires_at__lt=job.cutoff("tenants.invitation")
        ),
    )


def _outboxes(job: _Job) -> None:
    from budstikke.economic.models import Conflict, HookCall, Push
    from budstikke.shipments.models import CsvImport, IdempotencyKey
    from budstikke.webhooks.models import Delivery

    _sweep(
        job,
        "economic.push",
        Push.objects.dangerously_unscoped().filter(
            status=Push.Status.DONE, done_at__lt=job.cutoff("economic.push")
        ),
    )
    _sweep(
        job,
        "economic.hookcall",
        HookCall.objects.dangerously_unscoped().filter(
            processed_at__lt=job.cutoff("economic.hookcall")
        ),
    )
    _sweep(
        job,
        "economic.conflict",
        Conflict.objects.dangerously_unscoped().filter(
            resolved_at__lt=job.cutoff("economic.conflict")
        ),
    )
    _sweep(
        job,
        "webhooks.delivery",
        Delivery.objects.dangerously_unscoped()
        .annotate(_ended=Coalesce("delivered_at", "created_at"))
        .filter(
            status__in=[Delivery.Status.DELIVERED, Delivery.Status.FAILED],
            _ended__lt=job.cutoff("webhooks.delivery"),
        ),
        children=[_Child("webhooks.attempt", "webhooks.Attempt", "delivery_id")],
    )
    _sweep(
        job,
        "shipments.idempotencykey",
        IdempotencyKey.objects.dangerously_unscoped().filter(
            created_at__lt=job.cutoff("shipments.idempotencykey")
        ),
    )
    _sweep(
        job,
        "shipments.csvimport",
        CsvImport.objects.dangerously_unscoped().filter(
            created_at__lt=job.cutoff("shipments.csvimport")
        ),
    )


def _privacy_records(job: _Job, current: PurgeRun) -> None:
    from budstikke.privacy.models import DataSubjectRequest, Incident

    _sweep(
        job,
        "privacy.purgerun",
        PurgeRun.objects.filter(started_at__lt=job.cutoff("privacy.purgerun")).exclude(
            pk=current.pk
        ),
        children=[_Child("privacy.purgecount", "privacy.PurgeCount", "run_id")],
    )
    _sweep(
        job,
        "privacy.datasubjectrequest",
        DataSubjectRequest.objects.dangerously_unscoped()
        .annotate(_ended=Coalesce("completed_at", "created_at"))
        .filter(_ended__lt=job.cutoff("privacy.datasubjectrequest")),
    )
    _sweep(
        job,
        "privacy.incident",
        Incident.objects.filter(closed_at__lt=job.cutoff("privacy.incident")),
    )


# Bookkeeping first, so shipments on invoices that have just expired are no longer held.
# Outboxes before shipments, whose idempotency keys they clear. In a dry run nothing goes,
# so each step leaves out the rows an earlier step would have removed: the counts of a dry
# run are those of the real run.
_STEPS: tuple[tuple[str, Callable[[_Job], None]], ...] = (
    ("billing", _billing),
    ("licence invoices", _licence_invoices),
    ("outboxes", _outboxes),
    ("shipments", _shipments),
    ("sms", _sms),
    ("security", _security),
    ("sessions", _sessions),
    ("accounts", _accounts),
    ("security log", _security_log),
)

# Which rules each step enforces (tests check that every rule that changes data has one).
ENFORCED: frozenset[str] = frozenset(
    {
        "billing.invoice",
        "billing.invoiceline",
        "billing.billingrun",
        "tenants.licenceinvoice",
        "shipments.shipment",
        "shipments.parcel",
        "shipments.trackingevent",
        "dispatch.stopupdate",
        "dispatch.assignment",
        "notify.smsmessage",
        "notify.smsmessage.body",
        "shield.securityevent",
        "shield.securityevent.ip",
        "shield.ban",
        "sessions.session",
        "usersessions.usersession",
        "account.emailconfirmation",
        "accounts.outgoingemail",
        "tenants.invitation",
        "economic.push",
        "economic.hookcall",
        "economic.conflict",
        "webhooks.delivery",
        "webhooks.attempt",
        "shipments.idempotencykey",
        "shipments.csvimport",
        "privacy.purgerun",
        "privacy.purgecount",
        "privacy.datasubjectrequest",
        "privacy.incident",
        "files.securitylog",
    }
)


def _save_counts(run: PurgeRun, job: _Job) -> None:
    PurgeCount.objects.bulk_create(
        PurgeCount(run=run, rule=key, action=action, tenant_id=tenant_id, count=count)
        for (key, action, tenant_id), count in sorted(
            job.counts.items(), key=lambda item: (item[0][0], item[0][1], item[0][2] or 0)
        )
    )
    job.counts.clear()


def run(*, trigger: str = PurgeRun.Trigger.MANUAL, dry_run: bool = False) -> PurgeRun:
    """Enforce every retention rule now (or, with `dry_run`, count what would change).

    A failing step is logged and written to the run's `error`, and the other steps still
    run: one broken rule must not keep every other row forever."""
    now = clock.now()
    purge_run = PurgeRun.objects.create(started_at=now, trigger=trigger, dry_run=dry_run)
    job = _Job(now=now, dry_run=dry_run)
    errors: list[str] = []
    steps: list[tuple[str, Callable[[_Job], None]]] = [
        *_STEPS,
        ("privacy records", lambda j: _privacy_records(j, purge_run)),
    ]
    for name, step in steps:
        try:
            step(job)
        except Exception as exc:
            logger.exception("retention purge: step %s failed", name)
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
        _save_counts(purge_run, job)
    purge_run.finished_at = clock.now()
    purge_run.error = "\n".join(errors)
    purge_run.save(update_fields=["finished_at", "error"])
    logger.info(
        "retention purge %s%s: %d rows",
        purge_run.pk,
        " (dry run)" if dry_run else "",
        sum(purge_run.counts.values_list("count", flat=True)),
    )
    return purge_run
