"""Emails from the platform to tenant administrators (sub-processor notices, incidents).

Each admin gets a message of their own, in their company's language, through Django's mail
API: the default mailer is the outbox, so the messages are rows in the caller's transaction
and leave only after it commits (ARCHITECTURE invariant 3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation

from budstikke.tenants.models import Membership, Role, Tenant

type Compose = Callable[[Tenant], tuple[str, str]]


def page_link(url_name: str) -> str:
    return settings.PUBLIC_URL + reverse(url_name)


def mail_admins_of(tenants: Iterable[Tenant], compose: Compose, *, leaving: bool = False) -> int:
    """Queue `compose(tenant)` -> (subject, body) to every admin of each active tenant (and
    of cancelled ones with `leaving`, whose admins keep access during the grace period).
    Returns the number of messages queued."""
    statuses = (
        {Tenant.Status.ACTIVE, Tenant.Status.CANCELLED} if leaving else {Tenant.Status.ACTIVE}
    )
    wanted = [tenant for tenant in tenants if tenant.status in statuses]
    admins = (
        Membership.objects.filter(tenant__in=wanted, role=Role.ADMIN)
        .select_related("user", "tenant")
        .order_by("tenant_id", "user_id")
    )
    by_tenant: dict[int, list[str]] = {}
    for membership in admins:
        if membership.user.is_active:
            by_tenant.setdefault(membership.tenant_id, []).append(membership.user.email)
    sent = 0
    for tenant in wanted:
        with translation.override(tenant.language):
            subject, body = compose(tenant)
        for address in by_tenant.get(tenant.pk, []):
            send_mail(subject, body, None, [address])
            sent += 1
    return sent
