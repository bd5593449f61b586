"""Turning what people and systems send (form fields, API JSON, CSV cells) into a
`ShipmentDraft`, with every problem reported per field in the reader's language.

One set of rules for the web form, the API and the CSV import, so a shipment that one door
accepts the others accept too. Numbers are read the way Danish Excel writes them as well
("1.234,50"); times without a zone are in the tenant's zone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from budstikke.customers.models import Customer, Service
from budstikke.shipments.actions import ParcelDraft, ShipmentDraft
from budstikke.tenants.models import Tenant

MAX_PARCELS = 99
MAX_WEIGHT_KG = Decimal("10000")
MAX_COD = Decimal("1000000")
CURRENCIES = ("DKK", "EUR", "SEK", "NOK")
FIRST_YEAR, LAST_YEAR = 2000, 2099
LENGTHS = {
    "recipient_name": 255,
    "delivery_address": 510,
    "delivery_postcode": 20,
    "delivery_city": 80,
    "pickup_name": 255,
    "pickup_address": 510,
    "pickup_postcode": 20,
    "pickup_city": 80,
    "reference": 100,
    "order_reference": 100,
    "notes": 2000,
    "recipient_email": 254,
}
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M",
)


class IntakeError(ValueError):
    """One or more fields are wrong; `errors` maps field name to messages for people."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))


@dataclass
class _Reader:
    tenant: Tenant
    values: Mapping[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def text(self, name: str, *, required: bool = False) -> str:
        raw = self.values.get(name)
        value = "" if raw is None else str(raw).strip()
        if required and not value:
            self.fail(name, _("This field is required."))
        if "\x00" in value:
            # PostgreSQL text cannot hold NUL; a CSV cell or JSON string can.
            self.fail(name, _("Remove the NUL character (an invisible control character)."))
        limit = LENGTHS.get(name)
        if limit is not None and len(value) > limit:
            self.fail(
                name,
                _("At most %(limit)d characters (this has %(n)d).")
                % {"limit": limit, "n": len(value)},
            )
        return value

    def decimal(self, name: str, *, maximum: Decimal) -> Decimal | None:
        raw = self.values.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        number = parse_decimal(raw)
        if number is None:
            self.fail(name, _("“%(value)s” is not a number.") % {"value": str(raw)[:40]})
            return None
        if number < 0:
            self.fail(name, _("Must not be negative."))
            return None
        if number > maximum:
            self.fail(name, _("At most %(max)s.") % {"max": maximum})
            return None
        return number

    def integer(self, name: str, *, minimum: int, maximum: int) -> int | None:
        raw = self.values.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        try:
            number = int(str(raw).strip())
        except ValueError:
            self.fail(name, _("“%(value)s” is not a whole number.") % {"value": str(raw)[:40]})
            return None
        if not minimum <= number <= maximum:
            self.fail(
                name,
                _("Must be between %(min)d and %(max)d.") % {"min": minimum, "max": maximum},
            )
            return None
        return number

    def moment(self, name: str) -> datetime | None:
        raw = self.values.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, datetime):
            parsed: datetime | None = raw
        else:
            parsed = parse_datetime(str(raw))
        if parsed is None:
            self.fail(
                name,
                _("“%(value)s” is not a date and time like 2026-03-14 10:00.")
                % {"value": str(raw)[:40]},
            )
            return None
        if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            # Year 1 or 9999 parse, but cannot be stored once moved to UTC.
            self.fail(
                name,
                _("Use a date between the years %(first)d and %(last)d.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
            )
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=ZoneInfo(self.tenant.timezone or "Europe/Copenhagen"))
        return parsed

    def choice(self, name: str, allowed: Mapping[str, str], default: str) -> str:
        value = self.text(name).lower()
        if not value:
            return default
        for key, label in allowed.items():
            if value in (key.lower(), str(label).lower()):
                return key
        self.fail(
            name,
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": value[:40], "choices": ", ".join(allowed)},
        )
        return default


def parse_decimal(raw: Any) -> Decimal | None:
    """12.5, "12,5", "1.234,50", "1 234,50" → Decimal; None when it is not a number."""
    if isinstance(raw, (int, Decimal)):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(str(raw))
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    if not re.fullmatch(r"[-+]?\d+(\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def parse_datetime(text: str) -> datetime | None:
    text = text.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in _DATETIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def pickup_places(customer: Customer) -> list[dict[str, str]]:
    """The customer's saved pickup addresses, then its own address, in one shape."""
    places: list[dict[str, str]] = []
    for entry in customer.pickup_addresses or []:
        if not isinstance(entry, Mapping):
            continue
        place = {
            "name": str(entry.get("name") or entry.get("label") or customer.name or ""),
            "address": str(entry.get("address") or entry.get("street") or ""),
            "postcode": str(entry.get("zip") or entry.get("postcode") or ""),
            "city": str(entry.get("city") or ""),
            "country": str(entry.get("country") or "DK")[:2].upper(),
            "phone": str(entry.get("phone") or ""),
        }
        if place["address"]:
            places.append(place)
    if customer.address:
        places.append(
            {
                "name": customer.name or "",
                "address": customer.address or "",
                "postcode": customer.zip or "",
                "city": customer.city or "",
                "country": _country_code(customer.country),
                "phone": customer.mobile_phone or "",
            }
        )
    return places


def _country_code(value: str | None) -> str:
    text = (value or "").strip().upper()
    if len(text) == 2 and text.isalpha():
        return text
    return {"DANMARK": "DK", "DENMARK": "DK", "SVERIGE": "SE", "SWEDEN": "SE"}.get(text, "DK")


def _phone(reader: _Reader, name: str, policy: Any) -> str | None:
    value = reader.text(name)
    if not value:
        return None
    decision = policy.check(value)
    if decision.invalid:
        reader.fail(name, str(decision.reason))
        return None
    return str(decision.e164)


def phone_policy(tenant: Tenant) -> Any:
    """The SMS app's number reader for this tenant (read once per batch)."""
    from budstikke.notify.policy import Policy

    return Policy.for_tenant(tenant)


def parse(  # noqa: PLR0912, PLR0915 - one pass over every field, in reading order
    tenant: Tenant,
    values: Mapping[str, Any],
    *,
    customer: Customer | None,
    policy: Any = None,
) -> ShipmentDraft:
    """Validate one shipment's fields; raises `IntakeError` naming every bad field.

    Pickup fields left empty come from the customer's first saved pickup address (or
    `pickup_index`, 1-based), so a shipper rarely types its own address."""
    reader = _Reader(tenant, values)
    policy = policy or phone_policy(tenant)
    if customer is None:
        reader.fail("customer", _("Choose an existing customer."))
    elif customer.archived_at is not None or customer.barred:
        reader.fail("customer", _("This customer is archived or barred."))

    recipient_name = reader.text("recipient_name", required=True)
    delivery_address = reader.text("delivery_address", required=True)
    delivery_postcode = reader.text("delivery_postcode", required=True)
    delivery_city = reader.text("delivery_city", required=True)
    delivery_country = reader.text("delivery_country").upper() or tenant.country or "DK"
    if not re.fullmatch(r"[A-Z]{2}", delivery_country):
        reader.fail("delivery_country", _("Use a two-letter country code such as DK."))
    recipient_phone = _phone(reader, "recipient_phone", policy)
    recipient_email = reader.text("recipient_email") or None
    if recipient_email:
        try:
            validate_email(recipient_email)
        except ValidationError:
            reader.fail("recipient_email", _("Enter a valid email address."))
    language = reader.choice(
        "recipient_language", {"da": "dansk", "en": "english"}, tenant.language or "da"
    )
    default_service = customer.default_service if customer is not None else Service.STANDARD
    service = reader.choice("service", {k: str(v) for k, v in Service.choices}, default_service)

    pickup = {
        k: reader.text(f"pickup_{k}") for k in ("name", "address", "postcode", "city", "country")
    }
    pickup_phone = _phone(reader, "pickup_phone", policy)
    if customer is not None and not pickup["address"]:
        places = pickup_places(customer)
        index = reader.integer("pickup_index", minimum=1, maximum=max(len(places), 1)) or 1
        if places:
            chosen = places[min(index, len(places)) - 1]
            pickup = {k: pickup[k] or chosen[k] for k in pickup}
            pickup_phone = pickup_phone or chosen["phone"] or None
    for part in ("address", "postcode", "city"):
        if not pickup[part] and customer is not None:
            reader.fail(
                f"pickup_{part}",
                _("This field is required (the customer has no saved pickup address)."),
            )
    pickup_country = (pickup["country"] or "DK").upper()[:2]

    window_start = reader.moment("window_start")
    window_end = reader.moment("window_end")
    if window_start and window_end and window_end <= window_start:
        reader.fail("window_end", _("The window must end after it starts."))

    cod_amount = reader.decimal("cod_amount", maximum=MAX_COD)
    cod_currency = reader.text("cod_currency").upper()
    if cod_currency and cod_currency not in CURRENCIES:
        reader.fail(
            "cod_currency",
            _("Use one of: %(choices)s.") % {"choices": ", ".join(CURRENCIES)},
        )
    if cod_amount == 0:
        cod_amount = None

    reference = reader.text("reference")
    order_reference = reader.text("order_reference")
    notes = reader.text("notes") or None
    parcels = _parcels(reader)
    if reader.errors:
        raise IntakeError(reader.errors)
    assert customer is not None
    return ShipmentDraft(
        customer=customer,
        recipient_name=recipient_name,
        recipient_phone=recipient_phone,
        recipient_email=recipient_email,
        recipient_language=language,
        delivery_address=delivery_address,
        delivery_postcode=delivery_postcode,
        delivery_city=delivery_city,
        delivery_country=delivery_country,
        pickup_name=pickup["name"] or customer.name or "",
        pickup_address=pickup["address"],
        pickup_postcode=pickup["postcode"],
        pickup_city=pickup["city"],
        pickup_country=pickup_country,
        pickup_phone=pickup_phone,
        service=service,
        reference=reference,
        order_reference=order_reference,
        notes=notes,
        window_start=window_start,
        window_end=window_end,
        cod_amount=cod_amount,
        cod_currency=cod_currency,
        parcels=parcels,
    )


def _parcels(reader: _Reader) -> list[ParcelDraft]:
    """Either a list under "parcels" (API) or parcel_count + per-parcel weight and size."""
    listed = reader.values.get("parcels")
    if isinstance(listed, list):
        if not 1 <= len(listed) <= MAX_PARCELS:
            reader.fail("parcels", _("Between 1 and %(max)d parcels.") % {"max": MAX_PARCELS})
            return []
        drafts = []
        for index, item in enumerate(listed):
            sub = _Reader(reader.tenant, item if isinstance(item, Mapping) else {})
            drafts.append(_one_parcel(sub))
            for name, messages in sub.errors.items():
                for message in messages:
                    reader.fail(f"parcels[{index}].{name}", message)
        return drafts
    count = reader.integer("parcel_count", minimum=1, maximum=MAX_PARCELS) or 1
    one = _one_parcel(reader)
    return [
        ParcelDraft(one.weight_kg, one.length_cm, one.width_cm, one.height_cm)
        for _copy in range(count)
    ]


def _one_parcel(reader: _Reader) -> ParcelDraft:
    return ParcelDraft(
        weight_kg=reader.decimal("weight_kg", maximum=MAX_WEIGHT_KG) or Decimal("0"),
        length_cm=reader.integer("length_cm", minimum=1, maximum=1000),
        width_cm=reader.integer("width_cm", minimum=1, maximum=1000),
        height_cm=reader.integer("height_cm", minimum=1, maximum=1000),
    )
