"""The front pages of data protection: one for a tenant's admin, one for the operator."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from budstikke.ops.access import operator_view
from budstikke.tenants.access import TenantRequest, tenant_view
from budstikke.tenants.models import Role


@tenant_view(roles=[Role.ADMIN])
@require_http_methods(["GET"])
def tenant_home(request: TenantRequest) -> HttpResponse:
    return render(request, "privacy/home.html")


@require_http_methods(["GET"])
@operator_view
def ops_home(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/ops_home.html")
