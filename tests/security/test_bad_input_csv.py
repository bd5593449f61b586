"""Hypothesis-generated CSV files through the import pages: the answer is the upload form
with a file error, or a preview naming rows and fields; committing imports every row or
none; never a 500."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import event, example, given
from hypothesis import strategies as st

from budstikke.shipments.csvimport import COLUMNS
from budstikke.shipments.models import CsvImport, Parcel, Shipment, TrackingEvent
from budstikke.shipments.testing import make_customer
from budstikke.tenants.testing import Personas
from tests.security.fuzzing import PROFILE, datetimes, nasty_text, numbers, phone_numbers, postcodes

pytestmark = pytest.mark.django_db

VALID_ROW = {
    "customer_number": "4711",
    "recipient_name": "Mette Mogensen",
    "recipient_phone": "+45 20 12 34 56",
    "delivery_address": "Vesterbrogade 10",
    "delivery_postcode": "1620",
    "delivery_city": "København V",
}

CELLS: dict[str, st.SearchStrategy[str]] = {
    "customer_number": st.one_of(
        st.sampled_from(["4711", "4712", "0", "-4711", "4711.0", "٤٧١١", "9" * 30, ""]),
        nasty_text,
    ),
    "service": st.one_of(st.sampled_from(["standard", "express", "Express", "??"]), nasty_text),
    "recipient_name": nasty_text,
    "recipient_phone": phone_numbers,
    "recipient_email": st.one_of(st.emails().map(str), nasty_text),
    "recipient_language": st.one_of(st.sampled_from(["da", "EN", "dansk", "fr"]), nasty_text),
    "delivery_address": nasty_text,
    "delivery_postcode": postcodes,
    "delivery_city": nasty_text,
    "delivery_country": st.one_of(st.sampled_from(["DK", "se", "DNK", "D", "ØØ"]), nasty_text),
    "pickup_index": numbers,
    "reference": nasty_text,
    "order_reference": nasty_text,
    "notes": nasty_text,
    "window_start": datetimes,
    "window_end": datetimes,
    "parcel_count": numbers,
    "weight_kg": numbers,
    "length_cm": numbers,
    "width_cm": numbers,
    "height_cm": numbers,
    "cod_amount": numbers,
    "cod_currency": st.one_of(st.sampled_from(["DKK", "eur", "XXX"]), nasty_text),
}


@st.composite
def rows(draw: st.DrawFn) -> dict[str, str]:
    """A mostly sensible row with a few cells replaced by bad ones."""
    row = dict(VALID_ROW)
    for column in draw(st.lists(st.sampled_from(COLUMNS), max_size=4, unique=True)):
        row[column] = draw(CELLS[column])
    return row


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    header = list(VALID_ROW) + draw(
        st.lists(st.sampled_from([c for c in COLUMNS if c not in VALID_ROW]), unique=True)
    )
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\r\n", "\n"]))
    )
    writer.writerow(header)
    for row in draw(st.lists(rows(), min_size=1, max_size=4)):
        writer.writerow([row.get(column, "") for column in header])
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    content = text.encode(encoding, errors="replace")
    mangle = draw(st.sampled_from(["none", "none", "truncate", "garbage", "quote"]))
    if mangle == "truncate":
        content = content[: draw(st.integers(0, len(content)))]
    elif mangle == "garbage":
        content += draw(st.binary(max_size=40))
    elif mangle == "quote":
        content = content.replace(b";", b';"', 1)
    return content


def _counts(personas: Personas) -> tuple[int, ...]:
    tenant = personas.tenant_a
    return (
        Shipment.objects.for_tenant(tenant).count(),
        Parcel.objects.for_tenant(tenant).count(),
        TrackingEvent.objects.for_tenant(tenant).count(),
    )


@pytest.fixture
def shipper(personas: Personas, unbanned: None) -> Any:
    make_customer(personas.tenant_a, name="Spærret ApS", customer_number=4712, barred=True)
    return make_customer(personas.tenant_a, customer_number=4711)


@PROFILE
@given(content=csv_files())
@example(
    content=(
        "customer_number;recipient_name;delivery_address;delivery_postcode;delivery_city;"
        "window_start\r\n4711;Mette;Vesterbrogade 10;1620;København V;0001-01-01 00:00\r\n"
    ).encode()
)
@example(
    content=(
        "customer_number;recipient_name;delivery_address;delivery_postcode;delivery_city;"
        "reference\r\n4711;Mette;Vesterbrogade 10;1620;København V;a\x00b\r\n"
    ).encode()
)
@example(
    content=(
        "customer_number;recipient_name;delivery_address;delivery_postcode;delivery_city;"
        "reference\r\n4711;Mette;Vesterbrogade 10;1620;København V;" + "R" * 101 + "\r\n"
    ).encode()
)
def test_a_bad_csv_gets_row_errors_and_imports_all_rows_or_none(
    content: bytes, alice_client: Client, personas: Personas, shipper: Any
) -> None:
    before = _counts(personas)
    upload = SimpleUploadedFile("shipments.csv", content, content_type="text/csv")
    answer = alice_client.post(reverse("shipments:import"), {"file": upload})
    if answer.status_code == 200:
        assert answer.context["form"].errors["file"], "an upload refused without a reason"
        event("the file was refused")
        assert _counts(personas) == before
        return
    assert answer.status_code == 302, answer.status_code
    stored = CsvImport.objects.for_tenant(personas.tenant_a).latest("pk")
    preview_url = reverse("shipments:import-preview", args=[stored.pk])
    preview = alice_client.get(preview_url)
    assert preview.status_code == 200
    rows = preview.context["preview"].rows
    bad = [row for row in rows if row.errors]
    for row in bad:
        assert row.row >= 2
        assert all(messages for messages in row.errors.values())

    committed = alice_client.post(preview_url)
    stored.refresh_from_db()
    after = _counts(personas)
    event("rows refused" if bad else "imported")
    if bad:
        assert committed.status_code == 200
        assert stored.committed_at is None
        assert after == before, "a refused file left shipments behind"
    else:
        assert committed.status_code == 302, committed.status_code
        assert stored.committed_at is not None
        assert after[0] == before[0] + len(rows)
        assert stored.shipment_count == len(rows)
