"""Outgoing web hooks: a tenant's endpoints, the outbox of deliveries and the attempt log.

The endpoint's URL and signing secret are encrypted (a URL often carries a token). A
delivery's payload names the shipment by tracking number and status only; no recipient
data leaves through a web hook, so the outbox row can stay plain.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from budstikke.core import clock
from budstikke.core.tenancy import TenantOwned
from budstikke.vault.fields import EncryptedCharField
from budstikke.vault.models import EncryptedModel


class EventType(models.TextChoices):
    CREATED = "shipment.created", _("Shipment created")
    STATUS_CHANGED = "shipment.status_changed", _("Shipment status changed")
    DELIVERED = "shipment.delivered", _("Shipment delivered")


class Endpoint(EncryptedModel):
    """Where a shipper's system wants to hear about shipments, and which events."""

    url = EncryptedCharField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True, default="")
    events = models.JSONField(_("events"), default=list)
    secret = EncryptedCharField(max_length=100)
    enabled = models.BooleanField(_("enabled"), default=True)
    disabled_reason = models.CharField(max_length=200, blank=True, default="")
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("web hook endpoint")
        verbose_name_plural = _("web hook endpoints")

    def __str__(self) -> str:
        return self.description or f"endpoint {self.pk}"

    def wants(self, event_type: str) -> bool:
        return self.enabled and event_type in (self.events or [])


class Delivery(TenantOwned):
    """Outbox row: one event for one endpoint, written in the transaction of its cause."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    payload = models.JSONField()
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=clock.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["tenant", "endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return self.message_id


class Attempt(TenantOwned):
    """One HTTP try of a delivery: the delivery log a shipper's developer reads."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=clock.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "pk"]

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
