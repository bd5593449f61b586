"""Every write to tenants, as plain functions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from budstikke.core import clock
from budstikke.tenants.models import (
    DataProcessingAgreement,
    DpaAcceptance,
    Invitation,
    Membership,
    Role,
    Tenant,
)

if TYPE_CHECKING:
    from budstikke.accounts.models import User

# The first agreement version, created on first use; later ones the operator publishes
# (privacy/agreements.py), and signup accepts the newest one in force.
CURRENT_DPA_VERSION = "2026-1"
INVITATION_TTL = timedelta(days=7)


class AccessError(Exception):
    """A change to who has access that the rules forbid; the message is for the user."""


@transaction.atomic
def ensure_tenant(*, slug: str, name: str, country: str = "DK") -> tuple[Tenant, bool]:
    return Tenant.objects.get_or_create(slug=slug, defaults={"name": name, "country": country})


def current_agreement() -> DataProcessingAgreement:
    """The newest published version in force; the first version when none is."""
    newest: DataProcessingAgreement | None = (
        DataProcessingAgreement.objects.filter(effective_from__lte=clock.now())
        .order_by("-effective_from", "-pk")
        .first()
    )
    if newest is not None:
        return newest
    agreement, _created = DataProcessingAgreement.objects.get_or_create(version=CURRENT_DPA_VERSION)
    return agreement


def _unique_slug(name: str) -> str:
    base = (slugify(name) or "tenant")[:50].strip("-") or "tenant"
    slug, counter = base, 2
    while Tenant.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


@transaction.atomic
def create_tenant_for_signup(*, name: str, country: str, user: User, ip: str | None) -> Tenant:
    """Signup: the company becomes a tenant (the controller), the person its first admin,
    and their acceptance of the current DPA is kept as evidence."""
    tenant = Tenant.objects.create(
        name=name.strip(), slug=_unique_slug(name), country=country, created_at=clock.now()
    )
    Membership.objects.create(tenant=tenant, user=user, role=Role.ADMIN, created_at=clock.now())
    DpaAcceptance.objects.create(
        tenant=tenant, agreement=current_agreement(), user=user, accepted_at=clock.now(), ip=ip
    )
    return tenant


@transaction.atomic
def ensure_membership(*, tenant: Tenant, user: User, role: str) -> Membership:
    membership: Membership = Membership.objects.update_or_create(
        tenant=tenant, user=user, defaults={"role": role}
    )[0]
    return membership


def token_hash(token: str) -> str:
    """Invitation tokens carry 256 random bits, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invite(*, tenant: Tenant, email: str, role: str, invited_by: User) -> Invitation:
    """Create an invitation and queue its email in the same transaction (the default mailer
    is an outbox). The token exists only in that email."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    invitation: Invitation = Invitation.objects.create(
        tenant=tenant,
        email=email.strip().lower(),
        role=role,
        token_hash=token_hash(token),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + INVITATION_TTL,
    )
    link = settings.PUBLIC_URL + reverse("tenants:invitation-accept", args=[token])
    with translation.override(tenant.language):
        role_label = str(Role(role).label)
        subject = _("You are invited to %(tenant)s on Budstikke") % {"tenant": tenant.name}
        body = _(
            "%(inviter)s invites you to join %(tenant)s on Budstikke as %(role)s.\n\n"
            "Accept the invitation here:\n%(link)s\n\n"
            "The link works once and expires on %(expires)s (UTC). "
            "If you did not expect it, ignore this email."
        ) % {
            "inviter": invited_by.full_name or invited_by.email,
            "tenant": tenant.name,
            "role": role_label,
            "link": link,
            "expires": invitation.expires_at.strftime("%Y-%m-%d %H:%M"),
        }
    send_mail(subject, body, None, [invitation.email])
    return invitation


@transaction.atomic
def revoke_invitation(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, revoked_at=None, accepted_at=None).update(
        revoked_at=clock.now()
    )


@transaction.atomic
def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Use the invitation once. The row is locked so two tabs cannot both use it."""
    locked = Invitation.objects.dangerously_unscoped().select_for_update().get(pk=invitation.pk)
    if not locked.is_pending:
        raise AccessError(_("This invitation is no longer valid."))
    if user.is_operator:
        raise AccessError(_("Platform operator accounts cannot join a tenant."))
    if locked.email.lower() != user.email.lower():
        raise AccessError(
            _("This invitation was sent to another email address. Log in with that address.")
        )
    locked.accepted_at = clock.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    membership: Membership = Membership.objects.get_or_create(
        tenant=locked.tenant, user=user, defaults={"role": locked.role, "created_at": clock.now()}
    )[0]
    return membership


def _lock_admins(tenant: Tenant) -> int:
    """Lock the tenant's admin memberships and count them, so two admins demoting each other
    at the same moment cannot leave the tenant without one."""
    admins = Membership.objects.select_for_update().filter(tenant=tenant, role=Role.ADMIN)
    return len(list(admins))


@transaction.atomic
def change_role(membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise AccessError(_("Unknown role."))
    if (
        membership.role == Role.ADMIN
        and role != Role.ADMIN
        and _lock_admins(membership.tenant) <= 1
    ):
        raise AccessError(_("The last administrator cannot be demoted. Appoint another first."))
    Membership.objects.filter(pk=membership.pk).update(role=role)
    membership.role = role
    return membership


@transaction.atomic
def remove_member(membership: Membership) -> None:
    """Withdraw access and end every session of the person, in one transaction."""
    from budstikke.accounts.actions import end_all_sessions

    if membership.role == Role.ADMIN and _lock_admins(membership.tenant) <= 1:
        raise AccessError(_("The last administrator cannot be removed. Appoint another first."))
    user = membership.user
    membership.delete()
    end_all_sessions(user)
