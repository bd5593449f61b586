"""The operator's SMS console: billing counts per tenant, month and country; the platform
allow-list; tenants' requests for more country codes. Numbers and texts never appear."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from budstikke.accounts.models import User
from budstikke.notify import actions, selectors
from budstikke.notify.forms import AllowCodeForm, DecisionForm
from budstikke.notify.models import CountryCodeRequest
from budstikke.ops.access import operator_view


def _operator(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_http_methods(["GET"])
@operator_view
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "notify/ops.html",
        {
            "usage": selectors.usage(),
            "pending": selectors.pending_requests(),
            "decided": selectors.recent_decisions(),
            "codes": selectors.platform_codes(),
            "grants": selectors.all_grants(),
            "allow_form": AllowCodeForm(),
        },
    )


@require_http_methods(["POST"])
@operator_view
def decide(request: HttpRequest) -> HttpResponse:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for the decision."))
        return redirect("notify:ops")
    try:
        decided = actions.decide_country_code_request(
            request_id=form.cleaned_data["request_id"],
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
            operator=_operator(request),
        )
    except CountryCodeRequest.DoesNotExist:
        raise Http404 from None
    messages.success(
        request,
        _("+%(code)s for %(tenant)s: %(status)s.")
        % {
            "code": decided.code,
            "tenant": decided.tenant.name,
            "status": decided.get_status_display(),
        },
    )
    return redirect("notify:ops")


@require_http_methods(["POST"])
@operator_view
def codes(request: HttpRequest) -> HttpResponse:
    """Add or remove a platform code, or revoke one tenant's grant."""
    if "remove" in request.POST:
        try:
            actions.disallow_code(code=int(request.POST["remove"]))
        except ValueError:
            raise Http404 from None
        messages.success(request, _("Code removed from the platform list."))
    elif "revoke" in request.POST:
        try:
            actions.revoke_grant(grant_id=int(request.POST["revoke"]))
        except ValueError:
            raise Http404 from None
        messages.success(request, _("Grant revoked."))
    else:
        form = AllowCodeForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for e in form.errors.get("code", [])))
        else:
            actions.allow_code(code=form.cleaned_data["code"])
            messages.success(request, _("Code added to the platform list."))
    return redirect("notify:ops")
