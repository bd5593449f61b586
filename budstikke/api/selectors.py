from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from budstikke.api.models import ApiKey

if TYPE_CHECKING:
    from budstikke.tenants.models import Tenant


def api_keys(tenant: Tenant) -> QuerySet[ApiKey]:
    return (
        ApiKey.objects.for_tenant(tenant)
        .select_related("created_by")
        .order_by("revoked_at", "-created_at")
    )
