"""SMS: the country allow-list as data, tenants' grants and requests, notification settings
and templates, the outbox of messages and recipients' opt-outs."""

from __future__ import annotations

import uuid
from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from budstikke.core import clock
from budstikke.core.tenancy import TenantOwned
from budstikke.notify.events import Event
from budstikke.vault.fields import BlindIndexField, EncryptedCharField, EncryptedTextField
from budstikke.vault.models import EncryptedModel


class AllowedCallingCode(models.Model):
    """A country calling code every tenant may text (the platform list, kept by operators)."""

    code = models.PositiveSmallIntegerField(_("calling code"), unique=True)
    added_at = models.DateTimeField(_("added"), default=clock.now)

    class Meta:
        verbose_name = _("allowed calling code")
        verbose_name_plural = _("allowed calling codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"+{self.code}"


class CountryCodeRequest(TenantOwned):
    """A tenant's wish to text another country ("contact customer service"), decided by an
    operator with a reason both sides see. The text is written to the operator."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    code = models.PositiveSmallIntegerField(_("calling code"))
    message = models.TextField(_("why you need it"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decision_reason = models.TextField(_("reason"), max_length=1000, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), default=clock.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("country code request")
        verbose_name_plural = _("country code requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"+{self.code} for {self.tenant_id}: {self.status}"


class TenantCallingCode(TenantOwned):
    """An extra calling code one tenant may text, granted by an operator."""

    code = models.PositiveSmallIntegerField(_("calling code"))
    granted_at = models.DateTimeField(_("granted"), default=clock.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    request = models.ForeignKey(
        CountryCodeRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("granted calling code")
        verbose_name_plural = _("granted calling codes")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="one_grant_per_code")
        ]

    def __str__(self) -> str:
        return f"+{self.code} for {self.tenant_id}"


class NotificationSettings(TenantOwned):
    """Which shipment events text the recipient, and the tenant's cost guards."""

    events = models.JSONField(_("events"), default=list, blank=True)
    sender = models.CharField(_("sender name"), max_length=11, blank=True)
    monthly_cap = models.PositiveIntegerField(_("monthly limit"))
    rate_per_minute = models.PositiveIntegerField(_("messages per minute"))
    quiet_start = models.TimeField(_("quiet hours start"))
    quiet_end = models.TimeField(_("quiet hours end"))

    class Meta:
        verbose_name = _("SMS settings")
        verbose_name_plural = _("SMS settings")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="one_sms_settings")]

    def __str__(self) -> str:
        return f"SMS settings of {self.tenant_id}"

    def quiet(self) -> tuple[time, time]:
        return self.quiet_start, self.quiet_end


class SmsTemplate(TenantOwned):
    """A tenant's own text for one event and language (the built-in text otherwise)."""

    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    language = models.CharField(_("language"), max_length=2)
    body = models.TextField(_("text"), max_length=1000)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "event", "language"], name="one_template_per_event_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event}/{self.language}"


class SmsMessage(EncryptedModel):
    """One SMS in the outbox (ARCHITECTURE invariant 3). The number and the text are
    personal data, encrypted under the tenant's key; the calling code and region stay clear
    for billing. `reference` is created with the row and sent to the gateway, so a crashed
    send is recognised when its delivery report arrives instead of being sent again."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        REFUSED = "refused", _("Refused")

    phone = EncryptedCharField(_("phone number"), max_length=64)
    phone_index = BlindIndexField(source="phone", normalizer="phone")
    body = EncryptedTextField(_("text"), max_length=2000)
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(_("event"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=2, blank=True)
    calling_code = models.PositiveSmallIntegerField(_("calling code"), null=True, blank=True)
    region = models.CharField(_("country"), max_length=2, blank=True)
    segments = models.PositiveSmallIntegerField(_("segments"), default=1)
    encoding = models.CharField(_("encoding"), max_length=8, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    hold = models.CharField(_("held for"), max_length=100, blank=True)
    gateway = models.CharField(_("gateway"), max_length=20, blank=True)
    provider_id = models.CharField(_("gateway message id"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    next_attempt_at = models.DateTimeField(default=clock.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["tenant", "claimed_at"]),
            models.Index(fields=["tenant", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"sms {self.reference} {self.status}"


class OptOut(EncryptedModel):
    """A recipient who asked not to be texted by this tenant; matched by blind index."""

    phone = EncryptedCharField(_("phone number"), max_length=32)
    phone_index = BlindIndexField(source="phone", normalizer="phone")
    created_at = models.DateTimeField(_("since"), default=clock.now)

    class Meta:
        verbose_name = _("SMS opt-out")
        verbose_name_plural = _("SMS opt-outs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"opt-out {self.pk}"
