"""The shipment status machine: which status may follow which, and nothing else.

Kept apart from the models so the dispatch board, the courier view and the API all ask the
same table, and a refused step always gets the same clear message.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    CREATED = "created", _("Created")
    ASSIGNED = "assigned", _("Assigned to a courier")
    PICKED_UP = "picked_up", _("Picked up")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    FAILED_ATTEMPT = "failed_attempt", _("Delivery attempt failed")
    RETURNED = "returned", _("Returned to sender")
    CANCELLED = "cancelled", _("Cancelled")


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.CREATED: frozenset({Status.ASSIGNED, Status.CANCELLED}),
    # Back to created = unassigned by the dispatcher.
    Status.ASSIGNED: frozenset({Status.PICKED_UP, Status.CREATED, Status.CANCELLED}),
    # A local courier often drives straight from pickup to the recipient.
    Status.PICKED_UP: frozenset({Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY}),
    Status.IN_TRANSIT: frozenset({Status.OUT_FOR_DELIVERY}),
    Status.OUT_FOR_DELIVERY: frozenset({Status.DELIVERED, Status.FAILED_ATTEMPT}),
    Status.FAILED_ATTEMPT: frozenset({Status.OUT_FOR_DELIVERY, Status.RETURNED}),
    Status.DELIVERED: frozenset(),
    Status.RETURNED: frozenset(),
    Status.CANCELLED: frozenset(),
}

FINAL: frozenset[str] = frozenset(s for s, nexts in TRANSITIONS.items() if not nexts)
CANCELLABLE: frozenset[str] = frozenset(
    s for s, nexts in TRANSITIONS.items() if Status.CANCELLED in nexts
)


class InvalidTransitionError(ValueError):
    """A status change the machine does not allow; the message says what is allowed."""

    def __init__(self, current: str, wanted: str) -> None:
        self.current = current
        self.wanted = wanted
        super().__init__(str(self))

    def __str__(self) -> str:
        allowed = sorted(TRANSITIONS.get(self.current, frozenset()))
        names = {"current": label(self.current), "wanted": label(self.wanted)}
        if not allowed:
            return (
                gettext(
                    "A shipment that is “%(current)s” cannot change status "
                    "(asked for “%(wanted)s”)."
                )
                % names
            )
        return gettext(
            "A shipment that is “%(current)s” cannot become “%(wanted)s”; it can become: "
            "%(allowed)s."
        ) % {**names, "allowed": ", ".join(f"“{label(s)}”" for s in allowed)}


def label(status: str) -> str:
    try:
        return str(Status(status).label)
    except ValueError:
        return status


def can_transition(current: str, wanted: str) -> bool:
    return wanted in TRANSITIONS.get(current, frozenset())


def check(current: str, wanted: str) -> None:
    if not can_transition(current, wanted):
        raise InvalidTransitionError(current, wanted)


# The name the first usage note gave; both work.
InvalidTransition = InvalidTransitionError
