"""The dispatcher's pages: the day's board (filter, assign one or many, suggestions), a
courier's route (stop order) and a delivered shipment's proof. Thin: writes in actions.py."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from budstikke.dispatch import actions, selectors
from budstikke.dispatch.models import StopUpdate
from budstikke.shipments import machine
from budstikke.shipments.machine import Status
from budstikke.shipments.models import Shipment
from budstikke.tenants.access import TenantRequest, tenant_object_or_404, tenant_view
from budstikke.tenants.models import Membership, Role

OFFICE = {Role.ADMIN, Role.DISPATCHER}
MAX_SELECTED = 500


def _htmx(request: TenantRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _day(request: TenantRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return selectors.today(request.tenant)


def _courier_filter(request: TenantRequest) -> Membership | None:
    wanted = request.GET.get("courier", "")
    if not wanted.isdigit():
        return None
    return tenant_object_or_404(
        request, request.tenant, Membership, pk=int(wanted), role=Role.COURIER
    )


@tenant_view(roles=OFFICE)
@require_GET
def board(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    day = _day(request)
    courier = _courier_filter(request)
    status = request.GET.get("status", "")
    zone = request.GET.get("zone", "")[:80]
    unassigned = request.GET.get("unassigned") == "1"
    shipments = list(
        selectors.board(
            tenant, day, status=status, zone=zone, courier=courier, unassigned=unassigned
        )[:MAX_SELECTED]
    )
    waiting = [s for s in shipments if s.status == Status.CREATED]
    suggestions = selectors.suggest(tenant, waiting)
    context = {
        "day": day,
        "rows": [(s, suggestions.get(s.pk)) for s in shipments],
        "loads": selectors.loads(tenant).values(),
        "couriers": selectors.couriers(tenant),
        "statuses": Status.choices,
        "zones": selectors.zones(tenant),
        "status": status,
        "zone": zone,
        "courier": courier,
        "unassigned": unassigned,
        "query": request.GET.urlencode(),
    }
    template = "dispatch/_board_table.html" if _htmx(request) else "dispatch/board.html"
    return render(request, template, context)


def _selected(request: TenantRequest) -> list[Shipment]:
    ids = [value for value in request.POST.getlist("shipments") if value.isdigit()]
    return [
        tenant_object_or_404(request, request.tenant, Shipment, pk=int(pk))
        for pk in dict.fromkeys(ids[:MAX_SELECTED])
    ]


def _back(request: TenantRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    url = reverse("dispatch:board") + (f"?{query}" if query else "")
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        url = reverse("dispatch:board")
    return redirect(url)


def _report(request: TenantRequest, result: actions.AssignResult) -> None:
    if result.assigned:
        count = len(result.assigned)
        messages.success(
            request,
            ngettext("%(count)d shipment assigned.", "%(count)d shipments assigned.", count)
            % {"count": count},
        )
    for shipment, reason in result.refused:
        messages.error(request, f"{shipment.tracking_number}: {reason}")


@tenant_view(roles=OFFICE)
@require_POST
def assign(request: TenantRequest) -> HttpResponse:
    shipments = _selected(request)
    wanted = request.POST.get("courier", "")
    if not shipments:
        messages.error(request, _("Select at least one shipment."))
        return _back(request)
    if not wanted.isdigit():
        messages.error(request, _("Choose a courier."))
        return _back(request)
    courier = tenant_object_or_404(
        request, request.tenant, Membership, pk=int(wanted), role=Role.COURIER
    )
    _report(request, actions.assign(shipments, courier, by=request.user))
    return _back(request)


@tenant_view(roles=OFFICE)
@require_POST
def assign_suggested(request: TenantRequest) -> HttpResponse:
    """Assign the selected (or all waiting) shipments to the suggested couriers."""
    shipments = [s for s in _selected(request) if s.status == Status.CREATED]
    if not shipments:
        messages.error(request, _("Select at least one shipment that waits for a courier."))
        return _back(request)
    suggestions = selectors.suggest(request.tenant, shipments)
    if not suggestions:
        messages.error(request, _("No courier is available for a suggestion."))
        return _back(request)
    combined = actions.AssignResult()
    for shipment in shipments:
        courier = suggestions.get(shipment.pk)
        if courier is not None:
            result = actions.assign([shipment], courier, by=request.user)
            combined.assigned += result.assigned
            combined.refused += result.refused
    _report(request, combined)
    return _back(request)


@tenant_view(roles=OFFICE)
@require_POST
def unassign(request: TenantRequest) -> HttpResponse:
    for shipment in _selected(request):
        try:
            actions.unassign(shipment, by=request.user)
        except machine.InvalidTransition as exc:
            messages.error(request, f"{shipment.tracking_number}: {exc}")
    return _back(request)


def _courier(request: TenantRequest, membership: Membership) -> Membership:
    """A route belongs to a courier; any other membership of the tenant is not found."""
    if membership.role != Role.COURIER:
        raise Http404
    return membership


@never_cache
@tenant_view(roles=OFFICE, objects={"membership": Membership})
@require_GET
def route(request: TenantRequest, membership: Membership) -> HttpResponse:
    courier = _courier(request, membership)
    return render(
        request,
        "dispatch/route.html",
        {"courier": courier, "stops": selectors.route(courier)},
    )


@tenant_view(roles=OFFICE, objects={"membership": Membership})
@require_POST
def route_move(request: TenantRequest, membership: Membership) -> HttpResponse:
    courier = _courier(request, membership)
    wanted = request.POST.get("shipment", "")
    shipment = tenant_object_or_404(
        request, request.tenant, Shipment, pk=int(wanted) if wanted.isdigit() else 0
    )
    offset = {"up": -1, "down": 1, "first": -10_000, "last": 10_000}.get(
        request.POST.get("direction", ""), 0
    )
    try:
        actions.move(courier, shipment, offset)
    except actions.NotYourStopError:
        messages.error(request, _("That shipment is not on this route."))
    if _htmx(request):
        return render(
            request,
            "dispatch/_route_stops.html",
            {"courier": courier, "stops": selectors.route(courier)},
        )
    return redirect("dispatch:route", membership=courier.pk)


@never_cache
@tenant_view(roles=OFFICE, objects={"shipment": Shipment})
@require_GET
def proof(request: TenantRequest, shipment: Shipment) -> HttpResponse:
    updates = list(
        StopUpdate.objects.for_tenant(request.tenant)
        .filter(shipment=shipment)
        .select_related("courier")
    )
    return render(request, "dispatch/proof.html", {"shipment": shipment, "updates": updates})


def _image(content: bytes | None, content_type: str) -> HttpResponse:
    if not content:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


@never_cache
@tenant_view(roles=OFFICE, objects={"update": StopUpdate})
@require_GET
def proof_signature(request: TenantRequest, update: StopUpdate) -> HttpResponse:
    return _image(update.signature, "image/png")


@never_cache
@tenant_view(roles=OFFICE, objects={"update": StopUpdate})
@require_GET
def proof_photo(request: TenantRequest, update: StopUpdate) -> HttpResponse:
    return _image(update.photo, update.photo_type or "image/jpeg")
