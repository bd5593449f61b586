"""Data-subject requests, the writes: an export (Art. 15/20) or an erasure (Art. 17) of one
person, each logged as a `DataSubjectRequest` with counts per kind of record (never the
records). Searching alone writes nothing. See dsr_search, dsr_export, dsr_erasure and
dsr_journal for the parts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet

from budstikke.core import clock
from budstikke.privacy import dsr_erasure, dsr_export, dsr_search
from budstikke.privacy.models import DataSubjectRequest
from budstikke.tenants.models import Tenant

if TYPE_CHECKING:
    from budstikke.accounts.models import User


def requests(tenant: Tenant) -> QuerySet[DataSubjectRequest]:
    """The request log of a tenant, newest first."""
    return (
        DataSubjectRequest.objects.for_tenant(tenant)
        .select_related("requested_by")
        .order_by("-created_at", "-pk")
    )


def export(tenant: Tenant, user: User, by: str, value: str) -> tuple[DataSubjectRequest, bytes]:
    """Find the person, build the zip and log the request."""
    found = dsr_search.find(tenant, by, value)
    grouped = dsr_export.records(tenant, found)
    content = dsr_export.archive(tenant, found, grouped)
    logged = DataSubjectRequest.objects.create(
        tenant=tenant,
        kind=DataSubjectRequest.Kind.EXPORT,
        search_by=by,
        subject=value,
        requested_by=user,
        completed_at=clock.now(),
        counts=dsr_export.counts(grouped),
    )
    return logged, content


def erase(
    tenant: Tenant, user: User, by: str, value: str
) -> tuple[DataSubjectRequest, dsr_erasure.Plan]:
    """Find the person and erase them, keeping legal holds; one transaction, journaled."""
    with transaction.atomic():
        found = dsr_search.find(tenant, by, value)
        todo = dsr_erasure.plan(tenant, found)
        dsr_erasure.carry_out(tenant, todo)
        kept = [*todo.kept, dsr_erasure.Kept("log", 1, dsr_erasure.KEPT_LOG)]
        logged = DataSubjectRequest.objects.create(
            tenant=tenant,
            kind=DataSubjectRequest.Kind.ERASE,
            search_by=by,
            subject=value,
            requested_by=user,
            completed_at=clock.now(),
            counts=todo.counts(),
            # What was kept and why, in the language of the admin who asked.
            note="\n".join(f"{k.kind} ({k.count}): {k.reason}" for k in todo.kept),
        )
    todo.kept = kept
    return logged, todo
