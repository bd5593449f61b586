"""Who drives which shipment, in which order, and what the courier reported at each stop.

Assignment is the dispatch app's own data (the shipment's status only says "assigned").
A StopUpdate is one courier submission (picked up, on the way, delivered with proof,
failed): keyed by a client-generated submission id, unique per shipment, so a retried POST
on a bad connection finds the first one instead of appending a second tracking event.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from budstikke.core import clock
from budstikke.core.tenancy import TenantOwned
from budstikke.vault.fields import EncryptedBinaryField, EncryptedCharField, EncryptedJSONField
from budstikke.vault.models import EncryptedModel


class Assignment(TenantOwned):
    """One shipment on one courier's route; `position` orders the route (1 = first stop)."""

    shipment = models.OneToOneField(
        "shipments.Shipment", on_delete=models.CASCADE, related_name="assignment"
    )
    courier = models.ForeignKey(
        "tenants.Membership",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("courier"),
    )
    position = models.PositiveIntegerField(_("stop"), default=0)
    assigned_at = models.DateTimeField(_("assigned"), default=clock.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["courier", "position", "pk"]
        indexes = [models.Index(fields=["tenant", "courier", "position"], name="assignment_route")]

    def __str__(self) -> str:
        return f"{self.shipment_id} → {self.courier_id} #{self.position}"


class StopUpdate(EncryptedModel):
    """One courier submission at a stop, with the proof of delivery when it is a delivery."""

    class Action(models.TextChoices):
        PICKED_UP = "picked_up", _("Picked up")
        ON_THE_WAY = "out_for_delivery", _("On the way")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed_attempt", _("Delivery failed")

    shipment = models.ForeignKey(
        "shipments.Shipment", on_delete=models.CASCADE, related_name="stop_updates"
    )
    submission_id = models.UUIDField(default=uuid.uuid4)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    event = models.ForeignKey(
        "shipments.TrackingEvent", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    courier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), default=clock.now)
    # Proof of delivery: personal data, encrypted under the tenant's key.
    recipient_name = EncryptedCharField(_("received by"), max_length=255, null=True, blank=True)
    signature = EncryptedBinaryField(null=True)  # PNG
    photo = EncryptedBinaryField(null=True)
    photo_type = models.CharField(max_length=20, blank=True, default="")
    position = EncryptedJSONField(null=True, blank=True)  # {"lat", "lon", "accuracy"}

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "submission_id"], name="stop_update_submission_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.submission_id}"
