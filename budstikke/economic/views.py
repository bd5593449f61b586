"""e-conomic pages for the tenant admin (connect through the grant flow, check, disconnect,
policy, sync now, conflicts) and the web hook receiver e-conomic calls."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from budstikke.economic import actions, sync
from budstikke.economic.client import grant_url
from budstikke.economic.errors import EconomicError, user_message_for
from budstikke.economic.models import Conflict, ConflictPolicy, Connection
from budstikke.shield.events import record
from budstikke.shield.models import SecurityEvent
from budstikke.tenants.access import TenantRequest, tenant_view
from budstikke.tenants.models import Role

log = logging.getLogger(__name__)
ADMIN = {Role.ADMIN}
STATE_KEY = "economic_grant_state"


def _hook_url(connection: Connection) -> str:
    path = reverse(
        "economic:hook", kwargs={"hook_id": connection.hook_id, "secret": connection.hook_secret}
    )
    return f"{settings.PUBLIC_URL}{path}?old=[OLDNUMBER]&new=[NEWNUMBER]"


@tenant_view(roles=ADMIN)
@require_http_methods(["GET"])
def economic_settings(request: TenantRequest) -> HttpResponse:
    connection = actions.connection_of(request.tenant)
    connected = connection is not None and connection.is_connected
    return render(
        request,
        "economic/settings.html",
        {
            "connection": connection,
            "connected": connected,
            "hook_url": _hook_url(connection) if connected and connection else "",
            "last_problem": (
                user_message_for(connection.last_error)
                if connection and connection.last_error
                else ""
            ),
            "policies": ConflictPolicy.choices,
        },
    )


@tenant_view(roles=ADMIN)
@require_http_methods(["POST"])
def connect(request: TenantRequest) -> HttpResponse:
    """Send the admin to e-conomic's request-access page; it returns to `callback`."""
    state = secrets.token_urlsafe(24)
    request.session[STATE_KEY] = state
    back = f"{settings.PUBLIC_URL}{reverse('economic:callback')}?state={state}"
    try:
        target = grant_url(back)
    except EconomicError as exc:
        messages.error(request, str(exc.user_message))
        return redirect("economic:settings")
    return HttpResponseRedirect(target)


@tenant_view(roles=ADMIN)
@require_http_methods(["GET"])
def callback(request: TenantRequest) -> HttpResponse:
    expected = request.session.pop(STATE_KEY, None)
    state = request.GET.get("state", "")
    token = request.GET.get("token", "").strip()
    if not expected or not secrets.compare_digest(str(expected), state):
        messages.error(request, _("The answer from e-conomic did not match a request from you."))
        return redirect("economic:settings")
    if not token or len(token) > 200:
        messages.error(request, _("e-conomic sent no access token. Try connecting again."))
        return redirect("economic:settings")
    try:
        connection = actions.check_grant(request.tenant, token)
    except EconomicError as exc:
        messages.error(request, str(exc.user_message))
        return redirect("economic:settings")
    messages.success(
        request,
        _("Connected to e-conomic (%(company)s). The first sync starts now.")
        % {"company": connection.company_name or connection.agreement_number},
    )
    _queue_sync(request.tenant.pk)
    return redirect("economic:settings")


def _queue_sync(tenant_id: int, full: bool = False) -> None:
    from budstikke.economic.tasks import sync_tenant

    transaction.on_commit(lambda: sync_tenant(tenant_id, full))


@tenant_view(roles=ADMIN)
@require_http_methods(["POST"])
def check(request: TenantRequest) -> HttpResponse:
    connection = actions.connection_of(request.tenant)
    if connection is None or not connection.is_connected:
        messages.error(request, _("e-conomic is not connected."))
        return redirect("economic:settings")
    try:
        with sync.client_for(connection) as client:
            me = client.get_self()
    except EconomicError as exc:
        messages.error(request, str(exc.user_message))
    else:
        company = me.get("company") or {}
        name = company.get("name", "") if isinstance(company, dict) else ""
        messages.success(request, _("e-conomic answers: %(company)s.") % {"company": name})
    return redirect("economic:settings")


@tenant_view(roles=ADMIN)
@require_http_methods(["POST"])
def sync_now(request: TenantRequest) -> HttpResponse:
    connection = actions.connection_of(request.tenant)
    if connection is None or not connection.is_connected:
        messages.error(request, _("e-conomic is not connected."))
    else:
        _queue_sync(request.tenant.pk, request.POST.get("full") == "1")
        messages.success(request, _("A sync has been started. Refresh the page in a moment."))
    return redirect("economic:settings")


@tenant_view(roles=ADMIN)
@require_http_methods(["POST"])
def disconnect(request: TenantRequest) -> HttpResponse:
    connection = actions.connection_of(request.tenant)
    if connection is not None:
        actions.disconnect(connection)
    messages.success(request, _("e-conomic is disconnected; Budstikke no longer holds its token."))
    return redirect("economic:settings")


@tenant_view(roles=ADMIN)
@require_http_methods(["POST"])
def policy(request: TenantRequest) -> HttpResponse:
    connection = actions.connection_of(request.tenant)
    chosen = request.POST.get("policy", "")
    if connection is None or chosen not in ConflictPolicy.values:
        messages.error(request, _("Choose one of the policies."))
    else:
        actions.set_policy(connection, chosen)
        messages.success(request, _("Conflict policy saved."))
    return redirect("economic:settings")


@tenant_view(roles=ADMIN, objects={"conflict": Conflict})
@require_http_methods(["POST"])
def conflict_action(request: TenantRequest, conflict: Conflict) -> HttpResponse:
    if request.POST.get("action") == "reapply":
        try:
            actions.reapply_conflict(conflict)
        except actions.CannotReapplyError:
            messages.error(request, _("e-conomic owns this field: change it in e-conomic."))
        else:
            messages.success(request, _("The value is back and will be sent to e-conomic."))
    else:
        actions.dismiss_conflict(conflict)
        messages.success(request, _("Conflict dismissed."))
    return redirect("customers:detail", customer=conflict.customer_id)


def _number(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit() or len(value.strip()) > 9:
        return None
    return int(value.strip())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def hook(request: HttpRequest, hook_id: str, secret: str) -> HttpResponse:
    """e-conomic's "customer updated" web hook: authenticated by the secret in the URL,
    queued (equal calls waiting collapse into one), answered at once."""
    connection = (
        Connection.objects.dangerously_unscoped()
        .select_related("tenant")
        .filter(hook_id=hook_id)
        .first()
    )
    if connection is None or not actions.hook_secret_matches(connection, secret):
        record(SecurityEvent.Kind.API_KEY_FAILED, request=request, reason="economic_hook")
        raise Http404
    if not connection.is_connected:
        return HttpResponse(status=204)

    def given(name: str) -> str | None:
        return request.GET.get(name) or request.POST.get(name)

    old = _number(given("old"))
    new = _number(given("new"))
    if old is None or new is None:
        return HttpResponse(
            "old and new must be customer numbers", status=400, content_type="text/plain"
        )
    actions.queue_hook_call(connection, old, new)
    return HttpResponse(status=204)
