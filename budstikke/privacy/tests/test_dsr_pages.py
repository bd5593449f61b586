"""The admin's data-subject request pages: search, export download, erasure with a typed
confirmation and re-authentication, the request log; nobody else reaches any of it."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from budstikke.privacy.dsr_testing import ANNA, ANNA_EMAIL, make_world
from budstikke.privacy.models import DataSubjectRequest
from budstikke.shipments.models import Shipment
from budstikke.tenants.testing import Personas, outsider_test, reauthenticate

pytestmark = pytest.mark.django_db

URLS = ["privacy:dsr_list", "privacy:dsr_search", "privacy:dsr_export", "privacy:dsr_erase"]
ANNA_FORM = {"by": "email", "value": ANNA_EMAIL}


@pytest.fixture(autouse=True)
def journal_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


def test_the_admin_finds_a_person(alice_client: Client, personas: Personas) -> None:
    world = make_world(personas)

    page = alice_client.post(reverse("privacy:dsr_search"), ANNA_FORM).content.decode()

    for shipment in world.deliveries:
        assert shipment.tracking_number in page
    for shipment in world.others + world.elsewhere:
        assert shipment.tracking_number not in page


def test_bad_input_is_a_form_error(alice_client: Client, personas: Personas) -> None:
    for data, message in (
        ({"by": "email", "value": "not an address"}, "valid email"),
        ({"by": "phone", "value": "12"}, "phone number"),
        ({"by": "name", "value": "-"}, "full name"),
        ({"by": "shoe size", "value": "42"}, "Select a valid choice"),
    ):
        response = alice_client.post(reverse("privacy:dsr_search"), data)
        assert response.status_code == 400
        assert message in response.content.decode()


def test_the_admin_downloads_the_export_and_it_is_logged(
    alice_client: Client, personas: Personas
) -> None:
    world = make_world(personas)

    response = alice_client.post(reverse("privacy:dsr_export"), ANNA_FORM)

    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    assert len(data["records"]["deliveries"]) == len(world.deliveries)
    log = alice_client.get(reverse("privacy:dsr_list")).content.decode()
    assert ANNA_EMAIL in log
    assert "Access / portability export" in log


def test_erasing_demands_reauthentication(alice_client: Client, personas: Personas) -> None:
    world = make_world(personas)

    response = alice_client.post(
        reverse("privacy:dsr_erase"), {**ANNA_FORM, "confirmation": ANNA_EMAIL}
    )

    assert reverse("account_reauthenticate") in response["Location"]
    assert (
        Shipment.objects.for_tenant(personas.tenant_a).get(pk=world.deliveries[0].pk).recipient_name
        == ANNA
    )


def test_erasing_needs_the_identifier_typed_again(alice_client: Client, personas: Personas) -> None:
    world = make_world(personas)
    reauthenticate(alice_client, personas.alice)

    confirm = alice_client.post(reverse("privacy:dsr_erase"), ANNA_FORM)
    assert confirm.status_code == 200
    assert "confirmation" in confirm.content.decode()
    wrong = alice_client.post(
        reverse("privacy:dsr_erase"), {**ANNA_FORM, "confirmation": "hanna.hansen@example.dk"}
    )
    assert wrong.status_code == 400
    assert "not what you searched for" in wrong.content.decode()
    delivery = Shipment.objects.for_tenant(personas.tenant_a).get(pk=world.deliveries[0].pk)
    assert delivery.recipient_name == ANNA

    done = alice_client.post(
        reverse("privacy:dsr_erase"), {**ANNA_FORM, "confirmation": " ANNA.hansen@example.dk "}
    )

    assert done.status_code == 200
    assert "Kept, and why" in done.content.decode()
    delivery = Shipment.objects.for_tenant(personas.tenant_a).get(pk=world.deliveries[0].pk)
    assert delivery.recipient_name == ""
    logged = DataSubjectRequest.objects.for_tenant(personas.tenant_a).get()
    assert logged.kind == "erase"


def test_a_dispatcher_cannot_reach_data_subject_requests(
    bob_client: Client, personas: Personas
) -> None:
    make_world(personas)
    reauthenticate(bob_client, personas.bob)
    assert bob_client.get(reverse("privacy:dsr_list")).status_code == 403
    for name in URLS[1:]:
        response = bob_client.post(reverse(name), {**ANNA_FORM, "confirmation": ANNA_EMAIL})
        assert response.status_code == 403, name
    assert not DataSubjectRequest.objects.dangerously_unscoped().exists()


@outsider_test(*URLS)
def test_an_outsider_never_reaches_the_other_tenants_people(
    alice_client: Client, charlie_client: Client, personas: Personas
) -> None:
    world = make_world(personas)
    alice_client.post(reverse("privacy:dsr_export"), ANNA_FORM)
    reauthenticate(charlie_client, personas.charlie)

    listing = charlie_client.get(reverse("privacy:dsr_list")).content.decode()
    found = charlie_client.post(reverse("privacy:dsr_search"), ANNA_FORM).content.decode()
    exported = charlie_client.post(reverse("privacy:dsr_export"), ANNA_FORM).content
    charlie_client.post(reverse("privacy:dsr_erase"), {**ANNA_FORM, "confirmation": ANNA_EMAIL})

    assert ANNA_EMAIL not in listing  # Alice's request is not in B's log
    records = json.loads(zipfile.ZipFile(io.BytesIO(exported)).read("data.json"))["records"]
    assert [r["tracking_number"] for r in records["deliveries"]] == [
        world.elsewhere[0].tracking_number
    ]
    for shipment in world.deliveries:
        assert shipment.tracking_number not in found
        kept = Shipment.objects.for_tenant(personas.tenant_a).get(pk=shipment.pk)
        assert kept.recipient_name == ANNA
    assert (
        Shipment.objects.for_tenant(personas.tenant_b).get(pk=world.elsewhere[0].pk).recipient_name
        == ""
    )
