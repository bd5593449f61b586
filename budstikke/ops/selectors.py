"""What an operator may see of tenants: metadata, never their data."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from budstikke.tenants.models import Tenant

# The only tenant columns the console reads; anything added here is reviewed as a promise.
TENANT_METADATA = ("id", "name", "slug", "plan", "status", "created_at")


def tenant_overview() -> QuerySet[Tenant]:
    return (
        Tenant.objects.only(*TENANT_METADATA)
        .annotate(member_count=Count("memberships"))
        .order_by("name")
    )
