"""Reads that tenant views share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from budstikke.core import clock
from budstikke.tenants.actions import token_hash
from budstikke.tenants.models import Invitation, Membership, Tenant

if TYPE_CHECKING:
    from budstikke.accounts.models import User


def members(tenant: Tenant) -> QuerySet[Membership]:
    return Membership.objects.for_tenant(tenant).select_related("user").order_by("user__email")


def pending_invitations(tenant: Tenant) -> QuerySet[Invitation]:
    return (
        Invitation.objects.for_tenant(tenant)
        .filter(accepted_at=None, revoked_at=None, expires_at__gt=clock.now())
        .order_by("-created_at")
    )


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, tenant__status=Tenant.Status.ACTIVE)
        .select_related("tenant")
        .order_by("tenant__name")
    )


def invitation_by_token(token: str) -> Invitation | None:
    """The token names the invitation across all tenants; only its hash is looked up."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.dangerously_unscoped()
        .select_related("tenant", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )
