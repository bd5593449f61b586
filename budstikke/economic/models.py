"""The sync engine's state: one connection per tenant (grant token encrypted, cursor), the
link of each customer to its e-conomic customerNumber with the last agreed snapshot, the push
outbox, conflicts kept for review, and queued web hook calls."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from budstikke.core import clock
from budstikke.core.tenancy import TenantOwned
from budstikke.customers.models import Customer
from budstikke.vault.fields import EncryptedCharField, EncryptedJSONField
from budstikke.vault.models import EncryptedModel


class ConflictPolicy(models.TextChoices):
    ECONOMIC_WINS = "economic_wins", _("e-conomic wins")
    BUDSTIKKE_WINS = "budstikke_wins", _("Budstikke wins")


class Connection(EncryptedModel):
    """A tenant's access to its e-conomic agreement."""

    class Status(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        FAILING = "failing", _("Failing")
        DISCONNECTED = "disconnected", _("Disconnected")

    grant_token = EncryptedCharField(max_length=200, null=True, blank=True)
    # Only the demo sets these, pointing at the local simulator; normally the settings decide.
    base_url = models.CharField(max_length=200, blank=True, default="")
    app_secret_token = EncryptedCharField(max_length=200, null=True, blank=True)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.DISCONNECTED)
    agreement_number = models.PositiveBigIntegerField(null=True, blank=True)
    company_name = models.CharField(max_length=255, blank=True, default="")
    policy = models.CharField(
        _("conflict policy"),
        max_length=20,
        choices=ConflictPolicy.choices,
        default=ConflictPolicy.ECONOMIC_WINS,
    )
    hook_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    hook_secret = EncryptedCharField(max_length=100, null=True, blank=True)
    # Start time of the last complete pull (not its end: see the overlap in sync.py).
    cursor = models.DateTimeField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True, default="")
    highest_number = models.PositiveBigIntegerField(default=0)
    connected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="one_connection_per_tenant")]

    @property
    def is_connected(self) -> bool:
        return self.status != self.Status.DISCONNECTED and bool(self.grant_token)


class CustomerLink(EncryptedModel):
    """Local customer ↔ e-conomic customerNumber, with the last agreed snapshot (base).

    The base is personal data, so it is encrypted: `base` holds {"fields": canonical mapped
    fields, "hash": SHA-256 of their canonical JSON}; nothing about it is readable in the
    database."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="+")
    customer_number = models.PositiveBigIntegerField()
    base = EncryptedJSONField(default=dict)
    economic_updated = models.DateTimeField(null=True, blank=True)
    gone_at = models.DateTimeField(null=True, blank=True)
    # Set when the person behind the customer was erased on a data-subject request: the
    # link stays (so e-conomic's copy is not mistaken for a new customer) but is never
    # merged again, so a later sync cannot bring the erased data back.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "customer_number"], name="link_number_unique_per_tenant"
            )
        ]


class Push(TenantOwned):
    """Outbox row: "this customer changed in Budstikke; bring e-conomic up to date".

    The worker reads the customer's state when it delivers, so several edits collapse into
    one write. A create's idempotency key is the customerNumber Budstikke chooses before the
    POST: a retried POST finds the customer by it instead of creating a second one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to push")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "status", "next_attempt_at"], name="push_due")]


class Conflict(EncryptedModel):
    """A value that lost a merge, kept so an admin can review it and re-apply it."""

    class Resolution(models.TextChoices):
        OPEN = "open", _("Open")
        DISMISSED = "dismissed", _("Dismissed")
        REAPPLIED = "reapplied", _("Re-applied")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=40)
    winner = models.CharField(max_length=10)
    reason = models.CharField(max_length=10)
    values = EncryptedJSONField(default=dict)  # {"base": …, "economic": …, "budstikke": …}
    resolution = models.CharField(
        max_length=10, choices=Resolution.choices, default=Resolution.OPEN
    )
    created_at = models.DateTimeField(default=clock.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "customer", "resolution"], name="conflict_open")]

    @property
    def lost_value(self) -> object:
        key = "budstikke" if self.winner == "economic" else "economic"
        return self.values.get(key)

    @property
    def kept_value(self) -> object:
        return self.values.get(self.winner)


class HookCall(TenantOwned):
    """One "customer updated" call from e-conomic, queued; equal calls waiting are one."""

    old_number = models.PositiveBigIntegerField()
    new_number = models.PositiveBigIntegerField()
    received_at = models.DateTimeField(default=clock.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "old_number", "new_number"],
                condition=models.Q(processed_at__isnull=True),
                name="one_waiting_hook_call",
            )
        ]
