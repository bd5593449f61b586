"""`manage.py sms check` against every example mobile number `phonenumbers` knows: allowed
exactly when the calling code is one of the source document's 30."""

from __future__ import annotations

from io import StringIO

import phonenumbers
import pytest
from django.core.management import call_command

from budstikke.notify.actions import grant_code
from budstikke.notify.policy import DEFAULT_CALLING_CODES
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db

THE_30 = {36, 32, 359, 385, 357, 420, 45, 372, 358, 33, 49, 30, 353, 39, 371}
THE_30 |= {423, 370, 352, 356, 31, 47, 48, 351, 40, 421, 386, 34, 46, 41, 44}


def _check(*args: str) -> list[str]:
    out = StringIO()
    call_command("sms", "check", *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_default_list_is_exactly_the_documents_30_codes() -> None:
    assert len(DEFAULT_CALLING_CODES) == 30
    assert set(DEFAULT_CALLING_CODES) == THE_30
    assert 43 not in DEFAULT_CALLING_CODES


def test_every_regions_example_mobile_is_allowed_exactly_when_its_code_is_listed() -> None:
    examples = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        if example is not None:
            examples.append(example)
    assert len(examples) > 200
    numbers = [
        str(phonenumbers.format_number(e, phonenumbers.PhoneNumberFormat.E164)) for e in examples
    ]

    lines = _check(*numbers)

    assert len(lines) == len(numbers)
    for number, parsed, line in zip(numbers, examples, lines, strict=True):
        if parsed.country_code in THE_30:
            assert line == f"allowed {number}"
        else:
            assert line == f"refused {number}: country code +{parsed.country_code} is not enabled"


@pytest.mark.parametrize(
    ("number", "code"),
    [("+436641234567", 43), ("+12015550123", 1), ("+298211234", 298), ("+299221234", 299)],
)
def test_austria_north_america_faroes_and_greenland_are_refused(number: str, code: int) -> None:
    assert _check(number) == [f"refused {number}: country code +{code} is not enabled"]


def test_lines_come_in_order_and_invalid_numbers_say_why() -> None:
    lines = _check("+45 20 12 34 56", "hello", "+4512", "+436641234567", "20123456")
    assert lines[0] == "allowed +4520123456"
    assert lines[1] == "refused hello: this is not a phone number"
    assert lines[2] == "refused +4512: +4512 is not a valid phone number"
    assert lines[3].startswith("refused +436641234567: country code +43")
    assert lines[4].startswith("refused 20123456: the country code is missing")


def test_with_a_tenant_national_numbers_and_granted_codes_count(personas: Personas) -> None:
    grant_code(tenant=personas.tenant_a, code=43, operator=personas.olga)
    lines = _check("20123456", "+436641234567", "--tenant", "alfa-kurer")
    assert lines == ["allowed +4520123456", "allowed +436641234567"]
    assert _check("+436641234567", "--tenant", "beta-bud") == [
        "refused +436641234567: country code +43 is not enabled"
    ]


def test_the_command_exits_zero_when_numbers_are_refused() -> None:
    # call_command raises on a non-zero exit (CommandError/SystemExit); none here.
    assert _check("+12015550123") == ["refused +12015550123: country code +1 is not enabled"]
