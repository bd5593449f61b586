"""Every write to tenants, as plain functions."""

from __future__ import annotations

from django.db import transaction

from budstikke.tenants.models import Tenant


@transaction.atomic
def ensure_tenant(*, slug: str, name: str, country: str = "DK") -> tuple[Tenant, bool]:
    return Tenant.objects.get_or_create(slug=slug, defaults={"name": name, "country": country})
