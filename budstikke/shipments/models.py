"""Shipments, their parcels and tracking events, price rules, and API idempotency keys.

Recipient and address fields are personal data and stored encrypted (vault); the recipient's
phone and email have blind indexes for exact search. Status, dates, weights, prices,
references and the delivery country stay plain so lists, the board and reports can filter.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from budstikke.core import clock
from budstikke.core.tenancy import TenantOwned
from budstikke.customers.models import Service
from budstikke.shipments.machine import Status
from budstikke.shipments.name_index import NameIndexField
from budstikke.vault.fields import (
    BlindIndexField,
    EncryptedBinaryField,
    EncryptedCharField,
    EncryptedJSONField,
    EncryptedTextField,
)
from budstikke.vault.models import EncryptedModel

__all__ = [
    "CsvImport",
    "FailureReason",
    "IdempotencyKey",
    "Parcel",
    "PriceRule",
    "PriceSurcharge",
    "PriceZone",
    "Service",
    "Shipment",
    "Source",
    "Status",
    "TrackingEvent",
]


class Source(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
    CSV = "csv", _("CSV import")
    DEMO = "demo", _("Demo data")


class FailureReason(models.TextChoices):
    NOT_HOME = "not_home", _("Recipient not at home")
    REFUSED = "refused", _("Refused by recipient")
    ADDRESS = "address", _("Address not found")
    NO_ACCESS = "no_access", _("No access to the address")
    DAMAGED = "damaged", _("Parcel damaged")
    OTHER = "other", _("Other")


class Shipment(EncryptedModel):
    """One consignment from a shipper customer to a recipient (one or more parcels)."""

    tracking_number = models.CharField(_("tracking number"), max_length=32, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shipper"),
    )
    service = models.CharField(
        _("service level"), max_length=20, choices=Service.choices, default=Service.STANDARD
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=clock.now)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    # Pickup (the shipper's place, often a sole trader's home: encrypted too)
    pickup_name = EncryptedCharField(_("pickup name"), max_length=255)
    pickup_address = EncryptedTextField(_("pickup address"), max_length=510)
    pickup_postcode = EncryptedCharField(_("pickup postcode"), max_length=20)
    pickup_city = EncryptedCharField(_("pickup city"), max_length=80)
    pickup_country = models.CharField(_("pickup country"), max_length=2, default="DK")
    pickup_phone = EncryptedCharField(_("pickup phone"), max_length=50, null=True, blank=True)
    # Data-subject requests find a person by name or phone in either role (privacy/dsr_*.py).
    pickup_name_index = NameIndexField(source="pickup_name")
    pickup_phone_index = BlindIndexField(source="pickup_phone", normalizer="phone")
    # Delivery
    recipient_name = EncryptedCharField(_("recipient name"), max_length=255)
    recipient_phone = EncryptedCharField(_("recipient phone"), max_length=50, null=True, blank=True)
    recipient_email = EncryptedCharField(
        _("recipient email"), max_length=254, null=True, blank=True
    )
    recipient_phone_index = BlindIndexField(source="recipient_phone", normalizer="phone")
    recipient_email_index = BlindIndexField(source="recipient_email", normalizer="email")
    recipient_name_index = NameIndexField(source="recipient_name")
    recipient_language = models.CharField(
        _("recipient language"),
        max_length=8,
        choices=[("da", _("Danish")), ("en", _("English"))],
        default="da",
    )
    delivery_address = EncryptedTextField(_("delivery address"), max_length=510)
    delivery_postcode = EncryptedCharField(_("delivery postcode"), max_length=20)
    delivery_city = EncryptedCharField(_("delivery city"), max_length=80)
    delivery_country = models.CharField(_("delivery country"), max_length=2, default="DK")
    # The price zone the delivery postcode fell in at creation (plain: the board groups by it).
    zone = models.CharField(_("zone"), max_length=80, blank=True, default="")
    # What the shipper tells us
    reference = models.CharField(_("reference"), max_length=100, blank=True, default="")
    order_reference = models.CharField(_("order reference"), max_length=100, blank=True, default="")
    notes = EncryptedTextField(_("delivery notes"), null=True, blank=True)
    window_start = models.DateTimeField(_("delivery window from"), null=True, blank=True)
    window_end = models.DateTimeField(_("delivery window to"), null=True, blank=True)
    weight_kg = models.DecimalField(
        _("total weight (kg)"), max_digits=9, decimal_places=3, default=Decimal("0")
    )
    parcel_count = models.PositiveIntegerField(_("parcels"), default=1)
    cod_amount = models.DecimalField(
        _("cash on delivery"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    cod_currency = models.CharField(_("COD currency"), max_length=3, blank=True, default="")
    # Price frozen at creation: later rule changes never reprice an existing shipment.
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, default=Decimal("0"))
    price_currency = models.CharField(_("price currency"), max_length=3, default="DKK")
    price_lines = models.JSONField(_("price breakdown"), default=list, blank=True)
    # Bookkeeping
    created_at = models.DateTimeField(_("created"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    invoiced_at = models.DateTimeField(_("invoiced"), null=True, blank=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        indexes = [
            models.Index(fields=["tenant", "-created_at", "-id"], name="shipment_list"),
            models.Index(fields=["tenant", "status", "-created_at"], name="shipment_status"),
            models.Index(fields=["tenant", "customer", "-created_at"], name="shipment_customer"),
            models.Index(fields=["tenant", "reference"], name="shipment_reference"),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_final(self) -> bool:
        from budstikke.shipments.machine import FINAL

        return self.status in FINAL


class Parcel(TenantOwned):
    """One physical piece of a shipment, with its own barcode (tracking number + sequence)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="parcels")
    sequence = models.PositiveIntegerField(_("number"))
    barcode = models.CharField(_("barcode"), max_length=40, unique=True)
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=9,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    length_cm = models.PositiveIntegerField(_("length (cm)"), null=True, blank=True)
    width_cm = models.PositiveIntegerField(_("width (cm)"), null=True, blank=True)
    height_cm = models.PositiveIntegerField(_("height (cm)"), null=True, blank=True)

    class Meta:
        ordering = ["shipment", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "sequence"], name="parcel_sequence_unique")
        ]

    def __str__(self) -> str:
        return self.barcode


class TrackingEvent(EncryptedModel):
    """One step of a shipment's history; appended by `actions.transition`, never edited."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), default=clock.now)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who, when not a user: "api:bsk_ab12", "csv", "system", "demo". Never personal.
    actor_label = models.CharField(_("by"), max_length=60, blank=True, default="")
    reason = models.CharField(
        _("reason"), max_length=20, choices=FailureReason.choices, blank=True, default=""
    )
    note = EncryptedTextField(_("note"), null=True, blank=True)
    # {"lat": float, "lon": float, "accuracy": float|None}: a courier's position is personal.
    position = EncryptedJSONField(_("position"), null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["shipment", "at"], name="tracking_event_timeline")]

    def __str__(self) -> str:
        return f"{self.status} at {self.at:%Y-%m-%d %H:%M}"


class PriceZone(TenantOwned):
    """A named set of postcodes ("1000-2999, 4000"); the first matching zone by position wins."""

    name = models.CharField(_("name"), max_length=80)
    postcodes = models.TextField(
        _("postcodes"), help_text=_("Ranges and single postcodes, e.g. 1000-2999, 4000")
    )
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="price_zone_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class PriceRule(TenantOwned):
    """A base price for shipments up to a weight, optionally only in one zone or service.

    The most specific rule wins (zone and service named beats blank), then the lowest weight
    tier that holds the shipment's total weight."""

    zone = models.ForeignKey(
        PriceZone,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
        verbose_name=_("zone"),
        help_text=_("Blank: every zone"),
    )
    service = models.CharField(
        _("service level"),
        max_length=20,
        choices=Service.choices,
        blank=True,
        default="",
        help_text=_("Blank: every service level"),
    )
    max_weight_kg = models.DecimalField(
        _("up to weight (kg)"),
        max_digits=9,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Blank: no upper limit"),
    )
    price = models.DecimalField(
        _("price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(_("currency"), max_length=3, default="DKK")

    class Meta:
        ordering = ["zone__position", "service", "max_weight_kg", "pk"]

    def __str__(self) -> str:
        return f"{self.zone or '*'} {self.service or '*'} ≤{self.max_weight_kg or '∞'}"


class PriceSurcharge(TenantOwned):
    """An addition to the base price: a fixed amount plus a percentage of a base."""

    class Kind(models.TextChoices):
        COD = "cod", _("Cash on delivery fee (percentage of the COD amount)")
        EXTRA_PARCEL = "extra_parcel", _("Each parcel after the first")
        TIME_WINDOW = "time_window", _("Delivery time window")
        SERVICE = "service", _("Service level")
        ALWAYS = "always", _("Every shipment (percentage of the base price)")

    kind = models.CharField(_("applies to"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=80)
    service = models.CharField(
        _("service level"),
        max_length=20,
        choices=Service.choices,
        blank=True,
        default="",
        help_text=_("Only for the service level kind"),
    )
    amount = models.DecimalField(
        _("fixed amount"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    percent = models.DecimalField(
        _("percentage"), max_digits=6, decimal_places=2, default=Decimal("0")
    )

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.label


class IdempotencyKey(TenantOwned):
    """One `Idempotency-Key` an API key has used: the same key with the same body gives the
    same shipment; with another body it is a conflict (409)."""

    api_key = models.ForeignKey("api.ApiKey", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "api_key", "key"], name="idempotency_key_unique"
            )
        ]


class CsvImport(EncryptedModel):
    """An uploaded CSV between preview and commit. The file holds recipients' data, so it is
    kept encrypted, emptied on commit, and stale uploads are deleted (see tasks.py)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    content = EncryptedBinaryField(null=True)
    row_count = models.PositiveIntegerField(default=0)
    committed_at = models.DateTimeField(null=True, blank=True)
    shipment_count = models.PositiveIntegerField(default=0)
