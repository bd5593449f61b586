"""Tracking numbers and parcel barcodes.

A tracking number is the tenant's three-letter prefix, 12 random digits from `secrets`
(never sequential, so knowing one number tells nothing about the next) and a Luhn check
digit that catches a mistyped digit before any database lookup.
"""

from __future__ import annotations

import re
import secrets

from budstikke.tenants.models import Tenant

RANDOM_DIGITS = 12
PREFIX_LENGTH = 3
_PATTERN = re.compile(rf"^[A-Z]{{{PREFIX_LENGTH}}}\d{{{RANDOM_DIGITS + 1}}}$")


def prefix_for(tenant: Tenant) -> str:
    letters = "".join(ch for ch in tenant.slug.upper() if "A" <= ch <= "Z")
    return (letters + "XXX")[:PREFIX_LENGTH]


def luhn_digit(digits: str) -> str:
    """The Luhn check digit for a string of digits."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def new_tracking_number(tenant: Tenant) -> str:
    digits = f"{secrets.randbelow(10**RANDOM_DIGITS):0{RANDOM_DIGITS}d}"
    return f"{prefix_for(tenant)}{digits}{luhn_digit(digits)}"


def normalise(text: str) -> str:
    """What a person typed or scanned, as stored: upper case, no spaces or dashes."""
    return re.sub(r"[\s-]", "", text or "").upper()


def is_well_formed(number: str) -> bool:
    """Shape and check digit are right (says nothing about whether it exists)."""
    if not _PATTERN.match(number):
        return False
    digits = number[PREFIX_LENGTH:]
    return luhn_digit(digits[:-1]) == digits[-1]


def parcel_barcode(tracking_number: str, sequence: int) -> str:
    return f"{tracking_number}{sequence:03d}"
