"""The billing run: which delivered shipments went onto which e-conomic draft invoice.

An InvoiceLine holds a shipment at most once (a unique key), written in the same
transaction that stamps the shipment `invoiced_at` and queues the Invoice (the outbox row),
so no shipment is ever billed twice, whatever happens to a run or a worker.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from budstikke.core import clock
from budstikke.core.tenancy import TenantOwned
from budstikke.vault.fields import EncryptedJSONField
from budstikke.vault.models import EncryptedModel


class BillingSettings(TenantOwned):
    """What e-conomic needs on every draft; the customer supplies terms and VAT zone."""

    product_number = models.CharField(
        _("e-conomic product number"),
        max_length=25,
        blank=True,
        default="",
        help_text=_("The product every shipment line is booked on (e.g. “Fragt”)."),
    )
    layout_number = models.PositiveIntegerField(_("e-conomic layout number"), default=5)
    monthly = models.BooleanField(_("Bill automatically on the first of each month"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="one_billing_settings_per_tenant")
        ]


class BillingRun(TenantOwned):
    class Trigger(models.TextChoices):
        MANUAL = "manual", _("On demand")
        MONTHLY = "monthly", _("Monthly")

    cutoff = models.DateTimeField(_("delivered before"))
    trigger = models.CharField(_("started"), max_length=10, choices=Trigger.choices)
    created_at = models.DateTimeField(_("time"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invoice_count = models.PositiveIntegerField(_("invoices"), default=0)
    shipment_count = models.PositiveIntegerField(_("shipments"), default=0)
    # Customers with delivered shipments but no e-conomic customer number yet (ids).
    skipped_customers = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at", "-pk"]


class Invoice(EncryptedModel):
    """Outbox row: one draft invoice to create in e-conomic. `reference` goes out as
    `references.other`, which is how a POST with an unknown outcome is found again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Draft created")
        FAILED = "failed", _("Failed")

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="invoices")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    reference = models.CharField(max_length=60, unique=True)
    body = EncryptedJSONField()  # the draft as posted: the customer's name is personal data
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("net total"), max_digits=14, decimal_places=2)
    shipment_count = models.PositiveIntegerField(_("shipments"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    uncertain = models.BooleanField(default=False)
    next_attempt_at = models.DateTimeField(default=clock.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    draft_number = models.PositiveBigIntegerField(_("draft number"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="billing_invoice_due")]


class InvoiceLine(TenantOwned):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    shipment = models.OneToOneField(
        "shipments.Shipment", on_delete=models.CASCADE, related_name="invoice_line"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
