"""Hypothesis settings and strategies for the bad-input properties.

Profiles bound the run time: `security` (default, CI: a few dozen examples per property) and
`security-deep` (hundreds, for a local hunt): `BUDSTIKKE_FUZZ_PROFILE=security-deep pytest
tests/security`. Neither keeps an example database (the tests must not write into the tree).
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

_COMMON: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}
settings.register_profile("security", max_examples=40, **_COMMON)
settings.register_profile("security-deep", max_examples=400, **_COMMON)

PROFILE = settings.get_profile(os.environ.get("BUDSTIKKE_FUZZ_PROFILE", "security"))

NASTY_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "\t",
    "\ufeff",
    "\u202e\u0631\u0644",
    "\U0001d56d\U0001d59a\U0001d589\U0001d598",  # mathematical letters outside the BMP
    "Ø" * 300,
    "x" * 2100,
    "<script>alert(1)</script>",
    "'; DROP TABLE shipments_shipment; --",
    '=HYPERLINK("http://evil.example")',
    "{{ 7*7 }}",
    "%s%s%s%n",
    "null",
    "NaN",
    "-0",
    "\\",
    '"',
    ";",
    "\udcff".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
]

# Text without lone surrogates (they cannot be encoded, so no client can send them).
_characters = st.characters(codec="utf-8")
nasty_text = st.one_of(
    st.sampled_from(NASTY_STRINGS),
    st.text(_characters, max_size=30),
    st.text(_characters, min_size=250, max_size=700),
)

PHONE_SAMPLES = [
    "+45 20 12 34 56",
    "20123456",
    "0045 20 12 34 56",
    "+4520123456",
    "+46 70 123 45 67",
    "+1 (202) 555-0143 ext. 7",
    "+999 1234567",
    "+",
    "00",
    "+45 ٢٠١٢٣٤٥٦",
    "tel:+4520123456",
    "+45" + "9" * 40,
    "2012345\uff16",  # a full-width digit
    "+44 7911 123456",
    "+7 912 345 67 89",
]
phone_numbers = st.one_of(
    st.sampled_from(PHONE_SAMPLES),
    st.from_regex(r"\A\+?[0-9 ()\-.]{0,25}\Z"),
    nasty_text,
)

postcodes = st.one_of(
    st.sampled_from(["1620", "8000", "DK-2100", "SE-211 20", "0", "99999999999999999999999"]),
    st.from_regex(r"\A[0-9A-Z \-]{0,12}\Z"),
    nasty_text,
)

DATETIME_SAMPLES = [
    "2026-03-14 10:00",
    "2026-03-14T12:00:00+01:00",
    "0001-01-01 00:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31 23:59",
    "9999-12-31T23:59:59-12:00",
    "2026-02-30 10:00",
    "2026-03-29 02:30",
    "14.03.2026 10:00",
    "1970-01-01T00:00:00Z",
    "2026-13-01 10:00",
    "tomorrow",
]
datetimes = st.one_of(
    st.sampled_from(DATETIME_SAMPLES),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M")),
    nasty_text,
)

NUMBER_SAMPLES = [
    "1",
    "2,5",
    "1.234,50",
    "1 234,5",
    "-1",
    "0",
    "1e5",
    "NaN",
    "Infinity",
    "0,0001",
    "9999,9999",
    "10000,0001",
    "99999999999999999999",
    "١٢",
    "0x10",
]
numbers = st.one_of(
    st.sampled_from(NUMBER_SAMPLES),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
    nasty_text,
)

# JSON values of any type, for API fields.
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        nasty_text,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=6,
)

# A customer's text fields, as the API and the customer form both take them.
CUSTOMER_TEXT_FIELDS: dict[str, st.SearchStrategy[str]] = {
    "name": nasty_text,
    "address": nasty_text,
    "zip": postcodes,
    "city": nasty_text,
    "country": nasty_text,
    "email": st.one_of(st.emails().map(str), nasty_text),
    "mobile_phone": phone_numbers,
    "telephone_and_fax": phone_numbers,
    "cvr": nasty_text,
    "ean": nasty_text,
    "website": nasty_text,
}
