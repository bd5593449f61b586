from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from budstikke.shipments import csvimport
from budstikke.shipments.models import CsvImport, Shipment
from budstikke.shipments.testing import make_customer
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


def _csv(rows: list[dict[str, str]], *, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=csvimport.COLUMNS, delimiter=";")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in csvimport.COLUMNS})
    return out.getvalue().encode(encoding)


def _row(i: int, **overrides: str) -> dict[str, str]:
    row = {
        "customer_number": "1001",
        "recipient_name": f"Søren Ærø {i}",
        "recipient_phone": "20 12 34 56",
        "delivery_address": f"Østergade {i}",
        "delivery_postcode": "8000",
        "delivery_city": "Aarhus C",
        "weight_kg": "1,25",
        "parcel_count": "1",
        "reference": f"R-{i}",
    }
    row.update(overrides)
    return row


def test_one_bad_row_among_500_imports_nothing_and_names_row_and_field(
    personas: Personas, bob_client: Client
) -> None:
    make_customer(personas.tenant_a, customer_number=1001)
    rows = [_row(i) for i in range(500)]
    rows[316]["delivery_postcode"] = ""  # Excel row 318: header is row 1
    response = bob_client.post(
        reverse("shipments:import"),
        {"file": io.BytesIO(_csv(rows))},
        format="multipart",
    )
    stored = CsvImport.objects.for_tenant(personas.tenant_a).get()
    assert response.status_code == 302
    preview = bob_client.get(reverse("shipments:import-preview", args=[stored.pk]))
    assert "Row 318, delivery_postcode: This field is required." in preview.content.decode()

    commit = bob_client.post(reverse("shipments:import-preview", args=[stored.pk]), follow=True)
    assert "Row 318, delivery_postcode" in commit.content.decode()
    assert not Shipment.objects.dangerously_unscoped().exists()


def test_a_good_file_imports_every_row_once(personas: Personas, bob_client: Client) -> None:
    make_customer(personas.tenant_a, customer_number=1001)
    bob_client.post(
        reverse("shipments:import"), {"file": io.BytesIO(_csv([_row(i) for i in range(20)]))}
    )
    stored = CsvImport.objects.for_tenant(personas.tenant_a).get()
    url = reverse("shipments:import-preview", args=[stored.pk])
    assert "20 rows are ready to import." in bob_client.get(url).content.decode()
    bob_client.post(url)
    bob_client.post(url)  # a double click
    shipments = Shipment.objects.for_tenant(personas.tenant_a)
    assert shipments.count() == 20
    assert {s.weight_kg for s in shipments} == {Decimal("1.250")}
    stored.refresh_from_db()
    assert stored.content is None
    assert stored.shipment_count == 20


def test_it_reads_cp1252_with_decimal_commas(personas: Personas) -> None:
    make_customer(personas.tenant_a, customer_number=1001)
    content = _csv([_row(1, weight_kg="1.234,5", cod_amount="99,95")], encoding="cp1252")
    preview = csvimport.preview(personas.tenant_a, content)
    assert preview.ok, preview.errors
    draft = preview.rows[0].draft
    assert draft is not None
    assert draft.recipient_name == "Søren Ærø 1"
    assert draft.parcels[0].weight_kg == Decimal("1234.5")
    assert draft.cod_amount == Decimal("99.95")


def test_an_unknown_customer_and_bad_numbers_are_named(personas: Personas) -> None:
    make_customer(personas.tenant_a, customer_number=1001)
    content = _csv([_row(1), _row(2, customer_number="77", weight_kg="tung")])
    preview = csvimport.preview(personas.tenant_a, content)
    assert not preview.ok
    assert preview.errors == [
        "Row 3, customer_number: No customer has the number “77”.",
        "Row 3, weight_kg: “tung” is not a number.",
    ]


def test_a_file_without_the_required_columns_is_refused(personas: Personas) -> None:
    with pytest.raises(csvimport.CsvFileError, match="delivery_postcode"):
        csvimport.preview(personas.tenant_a, b"customer_number;recipient_name\n1;x\n")


def test_the_template_opens_in_excel_and_imports(personas: Personas, bob_client: Client) -> None:
    make_customer(personas.tenant_a, customer_number=1001)
    response = bob_client.get(reverse("shipments:import-template"))
    assert response.content.startswith(b"\xef\xbb\xbfcustomer_number;service;")
    assert csvimport.preview(personas.tenant_a, response.content).ok
