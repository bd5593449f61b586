"""The operator console: tenants' licences and health, never their data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from budstikke.ops.access import operator_view
from budstikke.ops.selectors import tenant_overview


@require_http_methods(["GET"])
@operator_view
def tenants(request: HttpRequest) -> HttpResponse:
    return render(request, "ops/tenants.html", {"tenants": tenant_overview()})
