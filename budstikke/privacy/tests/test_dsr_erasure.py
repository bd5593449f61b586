"""Erasing a person blanks their fields, clears the indexes that could find them again,
keeps what a legal hold requires, and touches nobody else."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from budstikke.core import clock as clock_module
from budstikke.customers import search as customer_search
from budstikke.customers.models import Customer
from budstikke.dispatch.models import StopUpdate
from budstikke.notify.models import OptOut, SmsMessage
from budstikke.privacy import dsr, dsr_journal, dsr_search
from budstikke.privacy.dsr_testing import ANNA, ANNA_EMAIL, ANNA_PHONE, make_world
from budstikke.shipments.models import Shipment
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def journal_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return Path(settings.DATA_DIR)


def _fresh(shipment: Shipment) -> Shipment:
    found: Shipment = Shipment.objects.for_tenant(shipment.tenant).get(pk=shipment.pk)
    return found


def test_an_erased_person_cannot_be_found_any_more(personas: Personas) -> None:
    make_world(personas)

    dsr.erase(personas.tenant_a, personas.alice, "email", ANNA_EMAIL)

    for by, value in (("email", ANNA_EMAIL), ("phone", ANNA_PHONE), ("name", ANNA)):
        found = dsr_search.find(personas.tenant_a, by, value)
        assert (found.deliveries, found.contacts, found.customers) == ([], [], []), by
    assert not customer_search.search(personas.tenant_a, "anna").exists()


def test_the_personal_fields_are_blanked_and_the_indexes_cleared(personas: Personas) -> None:
    world = make_world(personas)
    delivery = world.deliveries[0]
    StopUpdate.objects.create(
        tenant=personas.tenant_a,
        shipment=delivery,
        action="delivered",
        recipient_name=ANNA,
        signature=b"PNG",
        position={"lat": 55.67, "lon": 12.55},
    )

    dsr.erase(personas.tenant_a, personas.alice, "email", ANNA_EMAIL)

    erased = _fresh(delivery)
    assert erased.recipient_name == ""
    assert erased.delivery_address == ""
    assert erased.recipient_email is None
    assert erased.recipient_phone is None
    assert erased.notes is None
    assert erased.recipient_email_index is None
    assert erased.recipient_phone_index is None
    assert erased.recipient_name_index is None
    assert erased.tracking_number == delivery.tracking_number
    proof = StopUpdate.objects.for_tenant(personas.tenant_a).get(shipment=delivery)
    assert proof.recipient_name is None
    assert proof.signature is None
    assert proof.position is None
    customer = Customer.objects.for_tenant(personas.tenant_a).get(pk=world.anna_customer.pk)
    assert customer.name == ""
    assert customer.email is None
    assert customer.notes is None
    assert customer.email_index is None
    assert customer.phone_index is None
    shipper = Customer.objects.for_tenant(personas.tenant_a).get(pk=world.shipper.pk)
    assert [c["name"] for c in shipper.contact_persons] == ["Hanna Hansen"]


def test_look_alikes_and_the_other_tenant_are_untouched(personas: Personas) -> None:
    world = make_world(personas)
    before = {s.pk: (s.recipient_name, s.recipient_email) for s in world.others}

    dsr.erase(personas.tenant_a, personas.alice, "name", ANNA)

    after = {
        s.pk: (s.recipient_name, s.recipient_email)
        for s in Shipment.objects.for_tenant(personas.tenant_a).filter(pk__in=before)
    }
    assert after == before
    assert len(dsr_search.find(personas.tenant_b, "email", ANNA_EMAIL).deliveries) == 1
    assert len(dsr_search.find(personas.tenant_a, "name", "Hanna Hansen").deliveries) == 1
    # The pickup's recipient is someone else: only the pickup side is erased.
    pickup = _fresh(world.pickups[0])
    assert pickup.pickup_name == ""
    assert pickup.pickup_phone is None
    assert pickup.recipient_name == "Jens Jensen"


def test_an_invoiced_shipment_keeps_its_financial_fields(
    personas: Personas, clock: type[clock_module.ClockControl]
) -> None:
    clock.freeze(datetime(2026, 6, 1, 12, tzinfo=UTC))
    world = make_world(personas, deliveries=2)
    invoiced, old = world.deliveries
    Shipment.objects.filter(pk=invoiced.pk).update(
        reference="ORD-1", invoiced_at=datetime(2021, 3, 1, tzinfo=UTC)
    )
    Shipment.objects.filter(pk=old.pk).update(
        reference="ORD-2", invoiced_at=datetime(2020, 12, 1, tzinfo=UTC)
    )

    _logged, done = dsr.erase(personas.tenant_a, personas.alice, "email", ANNA_EMAIL)

    held = _fresh(invoiced)
    assert held.recipient_name == ""
    assert held.recipient_email is None
    assert held.reference == "ORD-1"
    assert held.price == invoiced.price
    assert held.invoiced_at == datetime(2021, 3, 1, tzinfo=UTC)
    assert _fresh(old).reference == ""  # invoiced in 2020: the period ended with 2025
    assert [k.kind for k in done.kept if k.kind == "deliveries"] == ["deliveries"]
    assert next(k.count for k in done.kept if k.kind == "deliveries") == 1


def test_a_customer_with_invoices_keeps_what_the_invoices_show(
    personas: Personas, clock: type[clock_module.ClockControl]
) -> None:
    world = make_world(personas)
    Shipment.objects.filter(pk=world.pickups[0].pk).update(
        invoiced_at=clock_module.now() - timedelta(days=30)
    )

    _logged, done = dsr.erase(personas.tenant_a, personas.alice, "phone", ANNA_PHONE)

    customer = Customer.objects.for_tenant(personas.tenant_a).get(pk=world.anna_customer.pk)
    assert customer.name == ANNA
    assert customer.address == world.anna_customer.address
    assert customer.email is None
    assert customer.mobile_phone is None
    assert customer.notes is None
    assert any(k.kind == "customers" for k in done.kept)


def test_texts_are_blanked_and_opt_outs_kept(personas: Personas) -> None:
    make_world(personas)

    _logged, done = dsr.erase(personas.tenant_a, personas.alice, "phone", ANNA_PHONE)

    messages = SmsMessage.objects.for_tenant(personas.tenant_a).order_by("pk")
    anna, hanna = list(messages)
    assert anna.phone == ""
    assert anna.body == ""
    assert anna.phone_index is None
    assert anna.status == "refused"  # queued: never sent now
    assert hanna.phone == "+4520123457"
    assert hanna.body == "Hannas pakke"
    assert OptOut.objects.for_tenant(personas.tenant_a).get().phone == "+4520123456"
    assert any(k.kind == "sms_opt_outs" for k in done.kept)


def test_the_journal_names_rows_and_fields_but_holds_no_personal_data(
    personas: Personas, journal_dir: Path
) -> None:
    world = make_world(personas)

    dsr.erase(personas.tenant_a, personas.alice, "email", ANNA_EMAIL)

    text = dsr_journal.path().read_text()
    entries = [json.loads(line) for line in text.splitlines()]
    shipments = {e["pk"] for e in entries if e["model"] == "shipments.shipment"}
    assert shipments == {s.pk for s in world.deliveries}
    assert all(e["tenant"] == personas.tenant_a.pk for e in entries)
    for needle in ("anna", "Anna", "20123456", "Vesterbrogade", "example.dk"):
        assert needle not in text
    assert dsr_journal.path().is_relative_to(journal_dir)


def test_the_erasure_is_logged(personas: Personas) -> None:
    world = make_world(personas)

    logged, _done = dsr.erase(personas.tenant_a, personas.alice, "email", ANNA_EMAIL)

    assert logged.kind == "erase"
    assert logged.requested_by == personas.alice
    assert logged.counts["deliveries"] == len(world.deliveries)
    assert logged.counts["contact_persons"] == 1
