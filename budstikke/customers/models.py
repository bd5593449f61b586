"""The extended customer database: every field e-conomic has, plus what only Budstikke keeps.

Personal data (names, addresses, contact details, notes, pickup places, contact persons,
custom field values) is stored encrypted under the tenant's key; email, phone and CVR have
blind indexes for exact search, and names have blind-indexed prefix tokens (see search.py).
Financial fields (currency, groups, terms, VAT zone, credit limit, barred) are not personal and
stay plain so lists can filter on them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from budstikke.core import clock
from budstikke.core.tenancy import TenantOwned
from budstikke.vault.fields import (
    BlindIndexField,
    EncryptedCharField,
    EncryptedJSONField,
    EncryptedTextField,
)
from budstikke.vault.models import EncryptedModel


class SyncState(models.TextChoices):
    LOCAL = "local", _("Not synced")
    IN_SYNC = "in_sync", _("In sync")
    PENDING = "pending", _("Waiting to push")
    CONFLICT = "conflict", _("Conflict")
    ERROR = "error", _("Sync error")


class Service(models.TextChoices):
    STANDARD = "standard", _("Standard")
    EXPRESS = "express", _("Express")
    SAME_DAY = "same_day", _("Same day")
    PALLET = "pallet", _("Pallet")


class Customer(EncryptedModel):
    """A shipper, as the courier company and its accountant both know it."""

    customer_number = models.PositiveBigIntegerField(_("customer number"), null=True, blank=True)
    # e-conomic's fields (personal data encrypted)
    name = EncryptedCharField(_("name"), max_length=255)
    address = EncryptedTextField(_("address"), max_length=510, null=True, blank=True)
    zip = EncryptedCharField(_("postcode"), max_length=30, null=True, blank=True)
    city = EncryptedCharField(_("city"), max_length=50, null=True, blank=True)
    country = EncryptedCharField(_("country"), max_length=50, null=True, blank=True)
    email = EncryptedCharField(_("email"), max_length=255, null=True, blank=True)
    mobile_phone = EncryptedCharField(_("mobile phone"), max_length=50, null=True, blank=True)
    telephone_and_fax = EncryptedCharField(
        _("telephone and fax"), max_length=255, null=True, blank=True
    )
    cvr = EncryptedCharField(_("CVR number"), max_length=40, null=True, blank=True)
    ean = EncryptedCharField(_("EAN number"), max_length=40, null=True, blank=True)
    website = EncryptedCharField(_("website"), max_length=255, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="DKK")
    customer_group = models.PositiveIntegerField(_("customer group"), default=1)
    payment_terms = models.PositiveIntegerField(_("payment terms"), default=1)
    vat_zone = models.PositiveIntegerField(_("VAT zone"), default=1)
    barred = models.BooleanField(_("barred"), default=False)
    credit_limit = models.DecimalField(
        _("credit limit"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    email_index = BlindIndexField(source="email", normalizer="email")
    phone_index = BlindIndexField(source="mobile_phone", normalizer="phone")
    cvr_index = BlindIndexField(source="cvr", normalizer="cvr")
    # Only Budstikke keeps these
    pickup_addresses = EncryptedJSONField(_("pickup addresses"), default=list, blank=True)
    contact_persons = EncryptedJSONField(_("contact persons"), default=list, blank=True)
    default_service = models.CharField(
        _("default service"), max_length=20, choices=Service.choices, default=Service.STANDARD
    )
    # ",tag,other," so one tag can be matched with a plain LIKE; tags are labels, not personal.
    tags = models.CharField(_("tags"), max_length=500, blank=True, default="")
    notes = EncryptedTextField(_("notes"), null=True, blank=True)
    custom_fields = EncryptedJSONField(_("custom fields"), default=dict, blank=True)
    # Bookkeeping
    sync_state = models.CharField(
        _("sync state"), max_length=10, choices=SyncState.choices, default=SyncState.LOCAL
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "customer_number"], name="customer_number_unique_per_tenant"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "customer_number", "id"], name="customer_list"),
            models.Index(fields=["tenant", "sync_state"], name="customer_sync_state"),
        ]

    def __str__(self) -> str:
        return f"customer {self.customer_number or '-'} ({self.pk})"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]


class NameToken(TenantOwned):
    """One blind-indexed prefix of one word of a customer's name (see search.py)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=16)
    key_version = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "digest", "customer"], name="customer_name_token"),
        ]


class CustomFieldDefinition(TenantOwned):
    """A field the tenant admin adds to every customer (e.g. "Gate code", "Account manager")."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        YES_NO = "yes_no", _("Yes/no")
        DATE = "date", _("Date")

    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=80)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="custom_field_key_unique")
        ]

    def __str__(self) -> str:
        return self.label
