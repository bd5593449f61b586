"""The tenant admin's web hook pages: endpoints, the secret shown once, the delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budstikke.tenants.access import TenantRequest, tenant_view
from budstikke.tenants.models import Role
from budstikke.webhooks import actions
from budstikke.webhooks.forms import EndpointForm
from budstikke.webhooks.models import Delivery, Endpoint

ADMIN = {Role.ADMIN}
LOG_SIZE = 50


@tenant_view(roles=ADMIN)
@require_GET
def endpoints(request: TenantRequest) -> HttpResponse:
    return render(
        request,
        "webhooks/list.html",
        {"endpoints": Endpoint.objects.for_tenant(request.tenant)},
    )


def _secret_page(request: TenantRequest, endpoint: Endpoint, secret: str) -> HttpResponse:
    return render(request, "webhooks/secret.html", {"endpoint": endpoint, "secret": secret})


@never_cache
@tenant_view(roles=ADMIN)
@require_http_methods(["GET", "POST"])
def endpoint_new(request: TenantRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = actions.create_endpoint(
                request.tenant,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except actions.EndpointError as exc:
            form.add_error("url", str(exc))
        else:
            return _secret_page(request, endpoint, secret)
    return render(request, "webhooks/new.html", {"form": form})


@never_cache
@tenant_view(roles=ADMIN, objects={"endpoint": Endpoint})
@require_GET
def endpoint_detail(request: TenantRequest, endpoint: Endpoint) -> HttpResponse:
    deliveries = list(
        Delivery.objects.for_tenant(request.tenant)
        .filter(endpoint=endpoint)
        .prefetch_related("log")[:LOG_SIZE]
    )
    return render(request, "webhooks/detail.html", {"endpoint": endpoint, "deliveries": deliveries})


@tenant_view(roles=ADMIN, objects={"endpoint": Endpoint})
@require_POST
def endpoint_toggle(request: TenantRequest, endpoint: Endpoint) -> HttpResponse:
    actions.change_endpoint(endpoint, enabled=not endpoint.enabled)
    if endpoint.enabled:
        messages.success(request, _("The endpoint is enabled."))
    else:
        messages.success(request, _("The endpoint is disabled."))
    return redirect("webhooks:detail", endpoint=endpoint.pk)


@never_cache
@tenant_view(roles=ADMIN, objects={"endpoint": Endpoint})
@require_POST
def endpoint_rotate(request: TenantRequest, endpoint: Endpoint) -> HttpResponse:
    return _secret_page(request, endpoint, actions.rotate_secret(endpoint))


@tenant_view(roles=ADMIN, objects={"endpoint": Endpoint})
@require_http_methods(["GET", "POST"])
def endpoint_delete(request: TenantRequest, endpoint: Endpoint) -> HttpResponse:
    if request.method == "POST":
        actions.delete_endpoint(endpoint)
        messages.success(request, _("The endpoint is deleted."))
        return redirect("webhooks:list")
    return render(request, "webhooks/delete.html", {"endpoint": endpoint})
