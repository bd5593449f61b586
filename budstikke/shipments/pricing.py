"""Price rules applied to a new shipment. The result is frozen on the shipment: later
changes to the rules never reprice existing work (the invoice must match what was quoted)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from budstikke.shipments.models import PriceRule, PriceSurcharge, PriceZone
from budstikke.tenants.models import Tenant

CENT = Decimal("0.01")


class PostcodeRangeError(ValueError):
    pass


def parse_postcodes(text: str) -> list[tuple[int, int]]:
    """ "1000-2999, 4000" → [(1000, 2999), (4000, 4000)]; anything else is an error."""
    ranges: list[tuple[int, int]] = []
    for part in re.split(r"[,;\s]+", text.strip()):
        if not part:
            continue
        match = re.fullmatch(r"(\d{1,10})(?:-(\d{1,10}))?", part)
        if match is None:
            raise PostcodeRangeError(
                _("“%(part)s” is not a postcode or a range like 1000-2999") % {"part": part}
            )
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if high < low:
            raise PostcodeRangeError(_("the range “%(part)s” runs backwards") % {"part": part})
        ranges.append((low, high))
    return ranges


@dataclass
class PriceBook:
    """A tenant's zones, rules and surcharges, read once for a batch of shipments."""

    zones: list[tuple[PriceZone, list[tuple[int, int]]]]
    rules: list[PriceRule]
    surcharges: list[PriceSurcharge]

    @classmethod
    def load(cls, tenant: Tenant) -> PriceBook:
        zones = []
        for zone in PriceZone.objects.for_tenant(tenant).order_by("position", "pk"):
            try:
                zones.append((zone, parse_postcodes(zone.postcodes)))
            except PostcodeRangeError:
                continue
        return cls(
            zones=zones,
            rules=list(PriceRule.objects.for_tenant(tenant)),
            surcharges=list(PriceSurcharge.objects.for_tenant(tenant)),
        )

    def zone_for(self, postcode: str) -> PriceZone | None:
        digits = re.sub(r"\D", "", postcode or "")
        if not digits:
            return None
        number = int(digits)
        for zone, ranges in self.zones:
            if any(low <= number <= high for low, high in ranges):
                return zone
        return None


@dataclass
class Quote:
    zone: PriceZone | None
    currency: str = "DKK"
    lines: list[dict[str, str]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((Decimal(line["amount"]) for line in self.lines), Decimal("0"))

    def add(self, label: str, amount: Decimal) -> None:
        if amount:
            self.lines.append({"label": label, "amount": str(amount.quantize(CENT, ROUND_HALF_UP))})


def _base_rule(
    book: PriceBook, zone: PriceZone | None, service: str, weight: Decimal
) -> PriceRule | None:
    candidates = [
        rule
        for rule in book.rules
        if (rule.zone_id is None or (zone is not None and rule.zone_id == zone.pk))
        and rule.service in ("", service)
        and (rule.max_weight_kg is None or weight <= rule.max_weight_kg)
    ]
    if not candidates:
        return None

    def rank(rule: PriceRule) -> tuple[int, Decimal]:
        specificity = (rule.zone_id is not None) + (rule.service != "")
        ceiling = rule.max_weight_kg if rule.max_weight_kg is not None else Decimal("1e12")
        return (-specificity, ceiling)

    return min(candidates, key=rank)


def quote(
    book: PriceBook,
    *,
    postcode: str,
    service: str,
    weight_kg: Decimal,
    parcel_count: int,
    cod_amount: Decimal | None,
    has_window: bool,
) -> Quote:
    """The price of a shipment under the book's rules (zero when no rule matches)."""
    zone = book.zone_for(postcode)
    rule = _base_rule(book, zone, service, weight_kg)
    result = Quote(zone=zone, currency=rule.currency if rule else "DKK")
    base = rule.price if rule else Decimal("0")
    result.add(_("Base price"), base)
    for surcharge in book.surcharges:
        kind = surcharge.kind
        fixed, percent = surcharge.amount, surcharge.percent / Decimal(100)
        if kind == PriceSurcharge.Kind.COD and cod_amount:
            result.add(surcharge.label, fixed + cod_amount * percent)
        elif kind == PriceSurcharge.Kind.EXTRA_PARCEL and parcel_count > 1:
            result.add(surcharge.label, fixed * (parcel_count - 1))
        elif (
            (kind == PriceSurcharge.Kind.TIME_WINDOW and has_window)
            or (kind == PriceSurcharge.Kind.SERVICE and surcharge.service == service)
            or kind == PriceSurcharge.Kind.ALWAYS
        ):
            result.add(surcharge.label, fixed + base * percent)
    return result
