"""The courier's phone pages: their own stops in order, one stop with call/navigate links
and the buttons that move it on, and the proof-of-delivery form. Another courier's stop is
a 404, exactly like a stop that does not exist."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from budstikke.dispatch import actions, proof, selectors
from budstikke.dispatch.models import Assignment, StopUpdate
from budstikke.shipments import machine
from budstikke.shipments.machine import Status
from budstikke.shipments.models import FailureReason, Shipment
from budstikke.shipments.selectors import time_window_text
from budstikke.tenants.access import TenantRequest, tenant_view
from budstikke.tenants.models import Role

COURIER = {Role.COURIER}


def _own_stop(request: TenantRequest, shipment: Shipment) -> Assignment:
    assignment: Assignment | None = (
        Assignment.objects.for_tenant(request.tenant)
        .filter(shipment=shipment, courier=request.membership)
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def _address(shipment: Shipment) -> str:
    return f"{shipment.delivery_address}, {shipment.delivery_postcode} {shipment.delivery_city}"


def _links(shipment: Shipment) -> dict[str, str]:
    place = quote(_address(shipment))
    pickup = quote(f"{shipment.pickup_address}, {shipment.pickup_postcode} {shipment.pickup_city}")
    return {
        "geo": f"geo:0,0?q={place}",
        "maps": f"https://www.google.com/maps/search/?api=1&query={place}",
        "pickup_maps": f"https://www.google.com/maps/search/?api=1&query={pickup}",
    }


@never_cache
@tenant_view(roles=COURIER)
@require_GET
def stops(request: TenantRequest) -> HttpResponse:
    route = selectors.route(request.membership)
    return render(
        request,
        "dispatch/courier_stops.html",
        {
            "stops": [(stop, _links(stop.shipment)) for stop in route],
            "done": selectors.finished_today(request.membership),
        },
    )


def _stop_page(
    request: TenantRequest,
    shipment: Shipment,
    *,
    errors: list[str] | None = None,
    status: int = 200,
    submission_id: str | None = None,
) -> HttpResponse:
    stop = _own_stop(request, shipment)
    return render(
        request,
        "dispatch/courier_stop.html",
        {
            "stop": stop,
            "shipment": shipment,
            "links": _links(shipment),
            "window": time_window_text(shipment),
            "submission_id": submission_id or str(uuid.uuid4()),
            "reasons": FailureReason.choices,
            "errors": errors or [],
            "can_pick_up": shipment.status == Status.ASSIGNED,
            "can_go": machine.can_transition(shipment.status, Status.OUT_FOR_DELIVERY),
            "can_deliver": shipment.status == Status.OUT_FOR_DELIVERY,
            "is_final": shipment.is_final,
            "posted": request.POST if errors else {},
        },
        status=status,
    )


@never_cache
@tenant_view(roles=COURIER, objects={"shipment": Shipment})
@require_GET
def stop(request: TenantRequest, shipment: Shipment) -> HttpResponse:
    return _stop_page(request, shipment)


@tenant_view(roles=COURIER, objects={"shipment": Shipment})
@require_POST
def update(request: TenantRequest, shipment: Shipment) -> HttpResponse:
    """Apply a courier submission; a repeated submission id is answered like the first."""
    _own_stop(request, shipment)
    raw_id = request.POST.get("submission_id", "")
    try:
        submission_id = uuid.UUID(raw_id)
    except ValueError:
        return _stop_page(
            request, shipment, errors=[_("The form was incomplete; try again.")], status=400
        )
    action = request.POST.get("action", "")
    if action not in StopUpdate.Action.values:
        return _stop_page(request, shipment, errors=[_("Unknown action.")], status=400)
    try:
        delivered = action == StopUpdate.Action.DELIVERED
        position = (
            proof.position(request.POST) if request.POST.get("share_position") == "1" else None
        )
        result, new = actions.report_stop(
            shipment,
            request.membership,
            submission_id=submission_id,
            action=action,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", "").strip()[:1000] or None,
            recipient_name=request.POST.get("recipient_name", "") if delivered else None,
            signature=proof.signature(request.POST.get("signature", "")) if delivered else None,
            photo=proof.photo(request.FILES.get("photo")) if delivered else None,
            position=position,
        )
    except (proof.ProofError, machine.InvalidTransition) as exc:
        return _stop_page(
            request, shipment, errors=[str(exc)], status=400, submission_id=str(submission_id)
        )
    except actions.NotYourStopError:
        raise Http404 from None
    if new:
        messages.success(
            request,
            _("%(number)s: %(status)s.")
            % {"number": shipment.tracking_number, "status": result.get_action_display()},
        )
    else:
        messages.info(request, _("This was already saved."))
    if result.action in (StopUpdate.Action.PICKED_UP, StopUpdate.Action.ON_THE_WAY):
        return redirect("courier:stop", shipment=shipment.pk)
    return redirect("courier:stops")
