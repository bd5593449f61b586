"""The shipment events that may text a recipient, and the built-in message texts.

The default texts are data, not interface strings: a tenant edits them per event and
language, and they are sent in the recipient's language, not the viewer's.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    FAILED_ATTEMPT = "failed_attempt", _("Failed delivery attempt")
    READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")


LANGUAGES: tuple[str, ...] = ("da", "en")
PLACEHOLDERS: tuple[str, ...] = ("company", "tracking_link", "time_window")

# Events a new tenant texts until its admin chooses otherwise ("delivered" adds cost and
# tells the recipient what they already know).
DEFAULT_EVENTS: tuple[str, ...] = (
    Event.OUT_FOR_DELIVERY,
    Event.FAILED_ATTEMPT,
    Event.READY_FOR_PICKUP,
)

DEFAULT_TEMPLATES: dict[tuple[str, str], str] = {
    (Event.OUT_FOR_DELIVERY, "da"): (
        "{company}: Din pakke er på vej og kommer i dag {time_window}. Følg den: {tracking_link}"
    ),
    (Event.OUT_FOR_DELIVERY, "en"): (
        "{company}: Your parcel is out for delivery today {time_window}. Track it: {tracking_link}"
    ),
    (Event.DELIVERED, "da"): "{company}: Din pakke er leveret. Se detaljer: {tracking_link}",
    (Event.DELIVERED, "en"): "{company}: Your parcel has been delivered. Details: {tracking_link}",
    (Event.FAILED_ATTEMPT, "da"): (
        "{company}: Vi kunne ikke aflevere din pakke i dag. Se dine muligheder: {tracking_link}"
    ),
    (Event.FAILED_ATTEMPT, "en"): (
        "{company}: We could not deliver your parcel today. See your options: {tracking_link}"
    ),
    (Event.READY_FOR_PICKUP, "da"): (
        "{company}: Din pakke er klar til afhentning. Se hvor: {tracking_link}"
    ),
    (Event.READY_FOR_PICKUP, "en"): (
        "{company}: Your parcel is ready for pickup. See where: {tracking_link}"
    ),
}

# What the preview fills the placeholders with.
SAMPLE_CONTEXT: dict[str, str] = {
    "company": "Demo Kurer ApS",
    "tracking_link": "https://budstikke.example/t/BUD123456789",
    "time_window": "12:00-14:00",
}
