"""The tenant admin's API-key page: create (the secret is shown once), list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from budstikke.api.actions import create_api_key, revoke_api_key
from budstikke.api.forms import ApiKeyForm
from budstikke.api.models import ApiKey
from budstikke.api.scopes import SCOPES
from budstikke.api.selectors import api_keys
from budstikke.tenants.access import TenantRequest, reauthenticated, tenant_view
from budstikke.tenants.models import Role

ADMIN = {Role.ADMIN}


@tenant_view(roles=ADMIN)
@require_http_methods(["GET"])
def key_list(request: TenantRequest) -> HttpResponse:
    return render(
        request, "apikeys/list.html", {"keys": api_keys(request.tenant), "scopes": SCOPES}
    )


@never_cache
@tenant_view(roles=ADMIN)
@require_http_methods(["GET", "POST"])
@reauthenticated
def key_create(request: TenantRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        api_key, secret = create_api_key(
            tenant=request.tenant,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            created_by=request.user,
        )
        # Rendered, not redirected: the secret exists only in this one response.
        return render(request, "apikeys/created.html", {"key": api_key, "secret": secret})
    return render(request, "apikeys/create.html", {"form": form})


@tenant_view(roles=ADMIN, objects={"api_key": ApiKey})
@require_http_methods(["GET", "POST"])
@reauthenticated
def key_revoke(request: TenantRequest, api_key: ApiKey) -> HttpResponse:
    if request.method == "POST":
        revoke_api_key(api_key)
        messages.success(request, _("API key revoked. Calls with it are refused from now on."))
        return redirect("apikeys:list")
    return render(request, "apikeys/revoke.html", {"key": api_key})
