"""Versions of the data-processing agreement (GDPR Art. 28(3)) and the evidence of which
version each tenant accepted: who, when, from which address. Signup records the first
acceptance (tenants/actions.py); a tenant admin accepts later versions here.

Both sides see the acceptances, but not the same way: the tenant sees which of its own
people accepted; the operator sees company, version and time, never the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from budstikke.core import clock
from budstikke.tenants.models import DataProcessingAgreement, DpaAcceptance, Tenant

if TYPE_CHECKING:
    from budstikke.accounts.models import User


class AgreementError(Exception):
    """An acceptance the rules refuse; the message is for the tenant admin."""


@dataclass(frozen=True)
class TenantVersion:
    """One agreement version as a tenant sees it."""

    agreement: DataProcessingAgreement
    acceptance: DpaAcceptance | None
    can_accept: bool
    is_current: bool


def versions() -> QuerySet[DataProcessingAgreement]:
    return DataProcessingAgreement.objects.order_by("-effective_from", "-pk")


def in_force(at: datetime | None = None) -> DataProcessingAgreement | None:
    """The newest version whose effective date has come."""
    found: DataProcessingAgreement | None = (
        versions().filter(effective_from__lte=at or clock.now()).first()
    )
    return found


def latest_accepted(tenant: Tenant) -> DpaAcceptance | None:
    found: DpaAcceptance | None = (
        DpaAcceptance.objects.filter(tenant=tenant)
        .select_related("agreement")
        .order_by("-agreement__effective_from", "-accepted_at")
        .first()
    )
    return found


def for_tenant(tenant: Tenant) -> list[TenantVersion]:
    """Every version, newest first, with this tenant's acceptance of it (if any) and whether
    it may still accept it: only versions newer than the newest one it accepted."""
    accepted = {
        acceptance.agreement_id: acceptance
        for acceptance in DpaAcceptance.objects.filter(tenant=tenant)
        .select_related("user")
        .order_by("accepted_at")
    }
    newest = latest_accepted(tenant)
    current = in_force()
    rows: list[TenantVersion] = []
    for agreement in versions():
        newer = newest is None or agreement.effective_from > newest.agreement.effective_from
        rows.append(
            TenantVersion(
                agreement=agreement,
                acceptance=accepted.get(agreement.pk),
                can_accept=agreement.pk not in accepted and newer,
                is_current=current is not None and agreement.pk == current.pk,
            )
        )
    return rows


def with_acceptances() -> QuerySet[DataProcessingAgreement]:
    """Operator view: each version with its number of accepting tenants and, per
    acceptance, the tenant (the user is deliberately not loaded)."""
    acceptances = DpaAcceptance.objects.select_related("tenant").order_by(
        "tenant__name", "accepted_at"
    )
    return (
        versions()
        .annotate(accepted_by=Count("acceptances__tenant", distinct=True))
        .prefetch_related(Prefetch("acceptances", queryset=acceptances))
    )


@transaction.atomic
def publish(
    *, version: str, text: str, changes: str, effective_from: datetime
) -> DataProcessingAgreement:
    agreement: DataProcessingAgreement = DataProcessingAgreement.objects.create(
        version=version.strip(), text=text, changes=changes, effective_from=effective_from
    )
    return agreement


@transaction.atomic
def accept(
    *, tenant: Tenant, agreement: DataProcessingAgreement, user: User, ip: str | None
) -> DpaAcceptance:
    """Record the acceptance as signup does: the tenant, the version, who, when, from where.
    The tenant row is locked so two admins accepting at once record it once."""
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
    if DpaAcceptance.objects.filter(tenant=tenant, agreement=agreement).exists():
        raise AgreementError(_("Your company has already accepted this version."))
    newest = latest_accepted(tenant)
    if newest is not None and agreement.effective_from <= newest.agreement.effective_from:
        raise AgreementError(
            _("Your company has already accepted a newer version (%(version)s).")
            % {"version": newest.agreement.version}
        )
    acceptance: DpaAcceptance = DpaAcceptance.objects.create(
        tenant=tenant, agreement=agreement, user=user, accepted_at=clock.now(), ip=ip
    )
    return acceptance
