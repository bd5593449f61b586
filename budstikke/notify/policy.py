"""Who may be texted: a number is parsed with `phonenumbers` into E.164 and allowed only when
its calling code is on the platform list or granted to the tenant. This runs before any
gateway is called, so a refused number never costs anything.

Forms, CSV imports and the API call `check(number, tenant=...)` and show `reason` where the
number was typed; `code` is a stable machine name for API error codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import phonenumbers
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from budstikke.tenants.models import Tenant

# The source document's list, exactly (the document writes "41": Switzerland, +41). Austria
# (+43) is not on it. A data migration seeds the platform list with these; operators edit it.
DEFAULT_CALLING_CODES: tuple[int, ...] = (
    *(36, 32, 359, 385, 357, 420, 45, 372, 358, 33, 49, 30, 353, 39, 371),
    *(423, 370, 352, 356, 31, 47, 48, 351, 40, 421, 386, 34, 46, 41, 44),
)

ALLOWED = "allowed"
NOT_ENABLED = "sms_country_not_enabled"
INVALID = "phone_invalid"
MISSING_COUNTRY = "phone_missing_country_code"
EMPTY = "phone_empty"

_PARSE_ERRORS: dict[int, Promise] = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: _(
        "the country code is missing or unknown; write the number with + and its country code"
    ),
    phonenumbers.NumberParseException.NOT_A_NUMBER: _("this is not a phone number"),
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: _("the number is too short"),
    phonenumbers.NumberParseException.TOO_SHORT_NSN: _("the number is too short"),
    phonenumbers.NumberParseException.TOO_LONG: _("the number is too long"),
}


@dataclass(frozen=True)
class Decision:
    """The answer for one number: `e164` is empty when the number could not be read."""

    allowed: bool
    e164: str
    code: str
    reason: str
    calling_code: int | None = None
    region: str = ""

    @property
    def invalid(self) -> bool:
        return self.code in (INVALID, MISSING_COUNTRY, EMPTY)


class Policy:
    """The allowed calling codes of one tenant (or of the platform alone), read once, so a
    CSV of a thousand rows costs two queries."""

    def __init__(self, codes: Iterable[int], default_region: str | None) -> None:
        self.codes = frozenset(codes)
        self.default_region = (default_region or "").upper() or None

    @classmethod
    def for_tenant(cls, tenant: Tenant | None = None) -> Policy:
        from budstikke.notify.selectors import allowed_codes

        return cls(allowed_codes(tenant), tenant.country if tenant is not None else None)

    def check(self, number: str) -> Decision:
        text = (number or "").strip()
        if not text:
            return Decision(False, "", EMPTY, str(_("enter a phone number")))
        try:
            parsed = phonenumbers.parse(text, self.default_region)
        except phonenumbers.NumberParseException as error:
            code = (
                MISSING_COUNTRY
                if error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE
                else INVALID
            )
            message = _PARSE_ERRORS.get(error.error_type, _("this is not a phone number"))
            return Decision(False, "", code, str(message))
        e164 = str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
        calling_code = int(parsed.country_code or 0)
        region = phonenumbers.region_code_for_number(parsed) or ""
        if not phonenumbers.is_valid_number(parsed):
            return Decision(
                False,
                e164,
                INVALID,
                str(_("%(number)s is not a valid phone number") % {"number": e164}),
                calling_code,
                region,
            )
        if calling_code not in self.codes:
            return Decision(
                False,
                e164,
                NOT_ENABLED,
                str(_("country code +%(code)s is not enabled") % {"code": calling_code}),
                calling_code,
                region,
            )
        return Decision(True, e164, ALLOWED, "", calling_code, region)


def check(number: str, tenant: Tenant | None = None) -> Decision:
    """May `number` be texted (by `tenant`)? National numbers are read in the tenant's
    country; without a tenant a number needs its + and country code."""
    return Policy.for_tenant(tenant).check(number)
