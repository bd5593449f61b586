"""Every write of dispatch: assigning shipments to couriers, the order of a route, and the
courier's reports from the stops (with proof of delivery). Status changes go through
`shipments.actions.transition`, inside the same transaction as the dispatch rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from budstikke.dispatch.models import Assignment, StopUpdate
from budstikke.dispatch.proof import Photo, ProofError
from budstikke.shipments import actions as shipment_actions
from budstikke.shipments import machine
from budstikke.shipments.machine import Status
from budstikke.shipments.models import FailureReason, Shipment
from budstikke.tenants.models import Membership, Role

if TYPE_CHECKING:
    from budstikke.accounts.models import User

# Statuses after which the shipment has left the courier's hands.
DONE: frozenset[str] = machine.FINAL


class NotYourStopError(LookupError):
    """The shipment is not on this courier's route (the view answers 404)."""


@dataclass
class AssignResult:
    assigned: list[Shipment] = field(default_factory=list)
    refused: list[tuple[Shipment, str]] = field(default_factory=list)


def _next_position(courier: Membership) -> int:
    last = (
        Assignment.objects.for_tenant(courier.tenant)
        .filter(courier=courier)
        .exclude(shipment__status__in=DONE)
        .aggregate(m=Max("position"))["m"]
    )
    return int(last or 0) + 1


def assign(shipments: list[Shipment], courier: Membership, *, by: User) -> AssignResult:
    """Put each shipment at the end of `courier`'s route. A new shipment becomes "assigned";
    one already on a route moves to this courier. Finished shipments are refused."""
    if courier.role != Role.COURIER:
        raise ValueError("only a courier can be assigned shipments")
    result = AssignResult()
    for shipment in shipments:
        if shipment.tenant_id != courier.tenant_id:
            raise ValueError("shipment and courier belong to different tenants")
        try:
            with transaction.atomic():
                locked = (
                    Shipment.objects.for_tenant(courier.tenant)
                    .select_for_update()
                    .get(pk=shipment.pk)
                )
                if locked.status in DONE:
                    raise machine.InvalidTransition(locked.status, Status.ASSIGNED)
                current = Assignment.objects.for_tenant(courier.tenant).filter(shipment=locked)
                existing = current.first()
                if existing is not None and existing.courier_id == courier.pk:
                    result.assigned.append(locked)
                    continue
                position = _next_position(courier)
                if existing is None:
                    Assignment.objects.create(
                        tenant=courier.tenant,
                        shipment=locked,
                        courier=courier,
                        position=position,
                        assigned_by=by,
                    )
                else:
                    current.update(courier=courier, position=position, assigned_by=by)
                if locked.status == Status.CREATED:
                    shipment_actions.transition(locked, Status.ASSIGNED, actor=by)
                result.assigned.append(locked)
        except machine.InvalidTransition as exc:
            result.refused.append((shipment, str(exc)))
    return result


def unassign(shipment: Shipment, *, by: User) -> None:
    """Take a shipment off its route before pickup; afterwards it can only be reassigned."""
    with transaction.atomic():
        locked = (
            Shipment.objects.for_tenant(shipment.tenant).select_for_update().get(pk=shipment.pk)
        )
        if locked.status not in (Status.CREATED, Status.ASSIGNED):
            raise machine.InvalidTransition(locked.status, Status.CREATED)
        Assignment.objects.for_tenant(shipment.tenant).filter(shipment=locked).delete()
        if locked.status == Status.ASSIGNED:
            shipment_actions.transition(locked, Status.CREATED, actor=by)


def move(courier: Membership, shipment: Shipment, offset: int) -> None:
    """Move one stop up (-1) or down (+1) the courier's open route, renumbering it 1..n."""
    with transaction.atomic():
        route = list(
            Assignment.objects.for_tenant(courier.tenant)
            .select_for_update()
            .filter(courier=courier)
            .exclude(shipment__status__in=DONE)
            .order_by("position", "pk")
        )
        index = next((i for i, a in enumerate(route) if a.shipment_id == shipment.pk), None)
        if index is None:
            raise NotYourStopError(shipment.pk)
        target = max(0, min(len(route) - 1, index + offset))
        route.insert(target, route.pop(index))
        for number, stop in enumerate(route, start=1):
            if stop.position != number:
                stop.position = number
                stop.save(update_fields=["position"])


def _check_proof(
    action: str,
    recipient_name: str | None,
    signature: bytes | None,
    photo: Photo | None,
    reason: str,
) -> None:
    if action == StopUpdate.Action.DELIVERED:
        if not (recipient_name or "").strip():
            raise ProofError(_("Enter the name of the person who received the shipment."))
        if signature is None and photo is None:
            raise ProofError(_("Take a signature or a photo as proof of delivery."))
    if action == StopUpdate.Action.FAILED and reason not in FailureReason.values:
        raise ProofError(_("Choose why the delivery failed."))


def report_stop(
    shipment: Shipment,
    courier: Membership,
    *,
    submission_id: uuid.UUID,
    action: str,
    reason: str = "",
    note: str | None = None,
    recipient_name: str | None = None,
    signature: bytes | None = None,
    photo: Photo | None = None,
    position: dict[str, Any] | None = None,
) -> tuple[StopUpdate, bool]:
    """Apply one courier submission; returns (the update, whether it was new).

    The same `submission_id` again (a retry after a lost answer) returns the first update
    and changes nothing. Raises NotYourStopError, ProofError or machine.InvalidTransition."""
    if action not in StopUpdate.Action.values:
        raise ValueError(f"unknown action {action!r}")
    _check_proof(action, recipient_name, signature, photo, reason)
    tenant = courier.tenant
    try:
        with transaction.atomic():
            locked = Shipment.objects.for_tenant(tenant).select_for_update().get(pk=shipment.pk)
            earlier = (
                StopUpdate.objects.for_tenant(tenant)
                .filter(shipment=locked, submission_id=submission_id)
                .first()
            )
            if earlier is not None:
                return earlier, False
            if (
                not Assignment.objects.for_tenant(tenant)
                .filter(shipment=locked, courier=courier)
                .exists()
            ):
                raise NotYourStopError(shipment.pk)
            event = shipment_actions.transition(
                locked,
                action,
                actor=courier.user,
                reason=reason if action == StopUpdate.Action.FAILED else "",
                note=note or None,
                position=position,
            )
            delivered = action == StopUpdate.Action.DELIVERED
            update = StopUpdate.objects.create(
                tenant=tenant,
                shipment=locked,
                submission_id=submission_id,
                action=action,
                event=event,
                courier=courier.user,
                recipient_name=((recipient_name or "").strip()[:255] or None)
                if delivered
                else None,
                signature=signature if delivered else None,
                photo=photo.content if delivered and photo else None,
                photo_type=photo.content_type if delivered and photo else "",
                position=position,
            )
    except IntegrityError:
        # Two copies of one submission raced; the first one won and is the answer.
        winner: StopUpdate | None = (
            StopUpdate.objects.for_tenant(tenant)
            .filter(shipment_id=shipment.pk, submission_id=submission_id)
            .first()
        )
        if winner is None:
            raise
        return winner, False
    shipment.status = locked.status
    return update, True
