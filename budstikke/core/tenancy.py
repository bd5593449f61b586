"""The tenancy chokepoint (ARCHITECTURE invariant 1).

Tenant-owned models inherit `TenantOwned`; views reach them only through
`Model.objects.for_tenant(tenant)` or `get_for_tenant_or_404`. The unscoped path is named
`dangerously_unscoped()` so it stands out in review. Another tenant's object is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from budstikke.tenants.models import Tenant


class TenantQuerySet(models.QuerySet[Any]):
    def for_tenant(self, tenant: Tenant) -> Self:
        if tenant is None or tenant.pk is None:
            raise ValueError("for_tenant() needs a saved tenant")
        return self.filter(tenant=tenant)


class TenantManager(models.Manager[Any]):
    """Every query starts with a tenant; `dangerously_unscoped()` is for jobs that span tenants."""

    def get_queryset(self) -> TenantQuerySet:
        return TenantQuerySet(self.model, using=self._db)

    def for_tenant(self, tenant: Tenant) -> TenantQuerySet:
        return self.get_queryset().for_tenant(tenant)

    def dangerously_unscoped(self) -> TenantQuerySet:
        return self.get_queryset()


class TenantOwned(models.Model):
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")

    objects = TenantManager()

    class Meta:
        abstract = True


def get_for_tenant_or_404[M: models.Model](model: type[M], tenant: Tenant, **lookup: Any) -> M:
    """The tenant's object matching `lookup`, or 404 — the same answer whether it is absent
    or belongs to someone else, so nothing about other tenants leaks."""
    manager = model._default_manager
    if not isinstance(manager, TenantManager):
        raise TypeError(f"{model.__name__} is not tenant-owned")
    try:
        obj: M = manager.for_tenant(tenant).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError) as exc:  # type: ignore[attr-defined]
        raise Http404 from exc
    return obj
