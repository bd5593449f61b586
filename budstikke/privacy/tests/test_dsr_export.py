"""A data-subject export holds every record about the person and nothing about anyone else."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest

from budstikke.dispatch.models import StopUpdate
from budstikke.privacy import dsr
from budstikke.privacy.dsr_testing import ANNA, ANNA_EMAIL, ANNA_PHONE, make_world
from budstikke.privacy.models import DataSubjectRequest
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db

FOREIGN = ["Hanna", "Hansen-Berg", "Jens", "+4520123457", "+4520123455", "example.dk.test"]


def _export(p: Personas, by: str, value: str) -> tuple[dict[str, Any], zipfile.ZipFile]:
    _logged, content = dsr.export(p.tenant_a, p.alice, by, value)
    zipped = zipfile.ZipFile(io.BytesIO(content))
    return json.loads(zipped.read("data.json")), zipped


def _everything(zipped: zipfile.ZipFile) -> str:
    return "\n".join(zipped.read(name).decode("utf-8-sig") for name in zipped.namelist())


def test_an_export_by_email_has_every_record_about_the_person(personas: Personas) -> None:
    world = make_world(personas)

    document, zipped = _export(personas, "email", "Anna.Hansen@EXAMPLE.dk")

    records = document["records"]
    assert sorted(r["tracking_number"] for r in records["deliveries"]) == sorted(
        s.tracking_number for s in world.deliveries
    )
    assert {r["recipient_name"] for r in records["deliveries"]} == {ANNA}
    assert [r["name"] for r in records["customers"]] == [ANNA]
    assert [r["name"] for r in records["contact_persons"]] == [ANNA]
    assert {r["tracking_number"] for r in records["tracking_events"]} == {
        s.tracking_number for s in world.deliveries
    }
    assert set(zipped.namelist()) >= {"data.json", "deliveries.csv", "customers.csv"}
    rows = list(csv.DictReader(io.StringIO(zipped.read("deliveries.csv").decode("utf-8-sig"))))
    assert {row["recipient_email"] for row in rows} == {ANNA_EMAIL}


def test_an_export_by_phone_finds_texts_opt_outs_and_pickups(personas: Personas) -> None:
    world = make_world(personas)

    document, _zipped = _export(personas, "phone", "20123456")

    records = document["records"]
    assert len(records["deliveries"]) == len(world.deliveries)
    assert [r["tracking_number"] for r in records["pickups"]] == [world.pickups[0].tracking_number]
    assert [r["text"] for r in records["sms_messages"]] == ["Din pakke kommer i dag"]
    assert len(records["sms_opt_outs"]) == 1


def test_an_export_by_name_matches_the_whole_name_only(personas: Personas) -> None:
    world = make_world(personas)

    document, zipped = _export(personas, "name", "anna  HANSEN")

    records = document["records"]
    assert len(records["deliveries"]) == len(world.deliveries)
    assert [r["pickup_name"] for r in records["pickups"]] == [ANNA]
    assert [r["name"] for r in records["customers"]] == [ANNA]
    assert [r["name"] for r in records["contact_persons"]] == [ANNA]
    text = _everything(zipped)
    for foreign in FOREIGN:
        assert foreign not in text


@pytest.mark.parametrize(
    ("by", "value"), [("email", ANNA_EMAIL), ("phone", ANNA_PHONE), ("name", ANNA)]
)
def test_nothing_about_anyone_else_is_in_the_export(
    personas: Personas, by: str, value: str
) -> None:
    world = make_world(personas)

    _document, zipped = _export(personas, by, value)

    text = _everything(zipped)
    for foreign in FOREIGN:
        assert foreign not in text
    # The shipper's other contact person, the pickup's recipient and tenant B's Anna.
    assert "hanna.hansen@example.dk" not in text
    assert "Cykelbutikken" not in text
    assert "Beta" not in text
    for shipment in world.others + world.elsewhere:
        assert shipment.tracking_number not in text
    # Anna's pickups show the pickup side only: the recipient is someone else.
    assert "jens@example.dk" not in text
    assert "+4540404040" not in text


def test_a_signature_is_exported_only_when_the_recipient_signed(personas: Personas) -> None:
    world = make_world(personas, deliveries=2)
    own, neighbour = world.deliveries
    StopUpdate.objects.create(
        tenant=personas.tenant_a,
        shipment=own,
        action="delivered",
        recipient_name="anna hansen",
        signature=b"PNG-anna",
    )
    StopUpdate.objects.create(
        tenant=personas.tenant_a,
        shipment=neighbour,
        action="delivered",
        recipient_name="Nabo Nielsen",
        signature=b"PNG-nabo",
    )

    document, zipped = _export(personas, "email", ANNA_EMAIL)

    proofs = {p["tracking_number"]: p for p in document["records"]["proofs_of_delivery"]}
    assert proofs[own.tracking_number]["received_by"] == "anna hansen"
    assert proofs[own.tracking_number]["signature_png_base64"]
    assert proofs[neighbour.tracking_number]["received_by"] is None
    assert proofs[neighbour.tracking_number]["signature_png_base64"] is None
    assert "Nabo" not in _everything(zipped)


def test_an_export_is_logged_with_counts_and_the_subject_encrypted(personas: Personas) -> None:
    world = make_world(personas)

    logged, _content = dsr.export(personas.tenant_a, personas.alice, "email", ANNA_EMAIL)

    row = DataSubjectRequest.objects.for_tenant(personas.tenant_a).get()
    assert row.pk == logged.pk
    assert row.kind == "export"
    assert row.requested_by == personas.alice
    assert row.subject == ANNA_EMAIL
    assert row.counts["deliveries"] == len(world.deliveries)
    (stored,) = DataSubjectRequest.objects.for_tenant(personas.tenant_a).values_list(
        "sealed", flat=True
    )
    assert stored is not None
    assert ANNA_EMAIL.encode() not in bytes(stored)


def test_another_tenants_person_is_never_found(personas: Personas) -> None:
    make_world(personas)

    _logged, content = dsr.export(personas.tenant_b, personas.charlie, "email", ANNA_EMAIL)

    records = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("data.json"))["records"]
    assert len(records["deliveries"]) == 1
    assert records["contact_persons"] == []
    assert records["pickups"] == []
    assert records["sms_messages"] == []
