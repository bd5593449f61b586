"""The security center: operators only; everyone else gets a 404, as if it did not exist."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from budstikke.shield import actions, chart, geoip, scenarios, selectors
from budstikke.shield.forms import AllowForm, BanForm, PinForm
from budstikke.shield.models import AllowEntry, Ban, CountryPolicy, SecurityEvent

CHART_DAYS = 30
View = Callable[..., HttpResponse]


def operator_only(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not getattr(user, "is_operator", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _back() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("shield:center"))


def _form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_GET
@operator_only
def center(request: HttpRequest) -> HttpResponse:
    kinds = dict(SecurityEvent.Kind.choices)
    context = {
        "geo": geoip.source(),
        "bans": selectors.active_bans().select_related("created_by")[:200],
        "chart": chart.build(selectors.daily_attempts_by_country(CHART_DAYS), CHART_DAYS),
        "chart_days": CHART_DAYS,
        "top_scenarios": selectors.top_scenarios(CHART_DAYS),
        "event_kinds": [
            (kinds.get(kind, kind), n) for kind, n in selectors.event_kind_counts(CHART_DAYS)
        ],
        "scenarios": scenarios.all_scenarios(),
        "policies": CountryPolicy.objects.filter(restricted=True)
        | CountryPolicy.objects.filter(pinned=True),
        "revisions": selectors.revisions(),
        "allow": AllowEntry.objects.select_related("tenant").order_by("network"),
        "ban_form": BanForm(),
        "allow_form": AllowForm(),
        "pin_form": PinForm(),
    }
    return render(request, "shield/center.html", context)


@require_POST
@operator_only
def ban(request: HttpRequest) -> HttpResponse:
    form = BanForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back()
    try:
        made = actions.manual_ban(
            form.cleaned_data["network"],
            form.cleaned_data["hours"],
            form.cleaned_data["reason"],
            request.user,  # type: ignore[arg-type]
        )
    except actions.ShieldError as exc:
        messages.error(request, str(exc))
        return _back()
    messages.success(request, _("%(network)s is banned.") % {"network": made.network})
    return _back()


@require_POST
@operator_only
def unban(request: HttpRequest, ban_id: int) -> HttpResponse:
    found = Ban.objects.filter(pk=ban_id).first()
    if found is None:
        raise Http404
    actions.unban(found.network, request.user)  # type: ignore[arg-type]
    messages.success(request, _("%(network)s is no longer banned.") % {"network": found.network})
    return _back()


@require_POST
@operator_only
def allow(request: HttpRequest) -> HttpResponse:
    form = AllowForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back()
    entry = actions.allow(
        form.cleaned_data["network"],
        form.cleaned_data["note"],
        by=request.user,  # type: ignore[arg-type]
    )
    messages.success(request, _("%(network)s is allowed.") % {"network": entry.network})
    return _back()


@require_POST
@operator_only
def disallow(request: HttpRequest, entry_id: int) -> HttpResponse:
    actions.disallow(entry_id)
    return _back()


@require_POST
@operator_only
def pin(request: HttpRequest) -> HttpResponse:
    form = PinForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back()
    state = form.cleaned_data["state"]
    actions.pin(
        form.cleaned_data["country"],
        restricted=state != "open",
        full_block=state == "blocked",
        by=request.user,  # type: ignore[arg-type]
    )
    return _back()


@require_POST
@operator_only
def unpin(request: HttpRequest, country: str) -> HttpResponse:
    actions.unpin(country, request.user)  # type: ignore[arg-type]
    return _back()
