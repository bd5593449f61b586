"""Hypothesis-generated phone numbers, addresses and amounts typed into the web forms (new
shipment, customer, SMS opt-out): the form comes back with errors on the fields, or the
object is saved whole; never a 500, never a half-written row."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import event, example, given
from hypothesis import strategies as st

from budstikke.customers.models import Customer
from budstikke.notify.models import OptOut
from budstikke.shipments.models import Parcel, Shipment, TrackingEvent
from budstikke.shipments.testing import make_customer
from budstikke.tenants.testing import Personas
from tests.security.fuzzing import (
    CUSTOMER_TEXT_FIELDS,
    PROFILE,
    datetimes,
    nasty_text,
    numbers,
    phone_numbers,
    postcodes,
)

pytestmark = pytest.mark.django_db

VALID_SHIPMENT_FORM = {
    "pickup": "1",
    "service": "standard",
    "recipient_name": "Mette Mogensen",
    "recipient_phone": "+45 20 12 34 56",
    "recipient_language": "da",
    "delivery_address": "Vesterbrogade 10",
    "delivery_postcode": "1620",
    "delivery_city": "København V",
    "delivery_country": "DK",
    "parcel_count": "1",
    "weight_kg": "2,5",
    "cod_currency": "",
}
SHIPMENT_FORM_FIELDS: dict[str, st.SearchStrategy[str]] = {
    "pickup": st.one_of(st.sampled_from(["1", "2", "other", "0", "-1", "99"]), nasty_text),
    "pickup_name": nasty_text,
    "pickup_address": nasty_text,
    "pickup_postcode": postcodes,
    "pickup_city": nasty_text,
    "service": nasty_text,
    "recipient_name": nasty_text,
    "recipient_phone": phone_numbers,
    "recipient_email": st.one_of(st.emails().map(str), nasty_text),
    "recipient_language": nasty_text,
    "delivery_address": nasty_text,
    "delivery_postcode": postcodes,
    "delivery_city": nasty_text,
    "delivery_country": nasty_text,
    "parcel_count": numbers,
    "weight_kg": numbers,
    "length_cm": numbers,
    "width_cm": numbers,
    "height_cm": numbers,
    "window_start": datetimes,
    "window_end": datetimes,
    "cod_amount": numbers,
    "cod_currency": nasty_text,
    "reference": nasty_text,
    "order_reference": nasty_text,
    "notes": nasty_text,
}


@st.composite
def filled(
    draw: st.DrawFn, valid: dict[str, str], fields: dict[str, st.SearchStrategy[str]]
) -> dict[str, str]:
    form = dict(valid)
    for name in draw(
        st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=4, unique=True)
    ):
        form[name] = draw(fields[name])
    return form


def _field_errors(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    assert form.errors, "the form came back without saying what is wrong"
    return dict(form.errors)


@pytest.fixture
def shipper(personas: Personas, unbanned: None) -> Customer:
    return make_customer(personas.tenant_a, customer_number=4711)


def _shipment_rows(personas: Personas) -> tuple[int, int, int]:
    tenant = personas.tenant_a
    return (
        Shipment.objects.for_tenant(tenant).count(),
        Parcel.objects.for_tenant(tenant).count(),
        TrackingEvent.objects.for_tenant(tenant).count(),
    )


@PROFILE
@given(form=filled(VALID_SHIPMENT_FORM, SHIPMENT_FORM_FIELDS))
@example(form={**VALID_SHIPMENT_FORM, "window_start": "0001-01-01 00:00"})
@example(form={**VALID_SHIPMENT_FORM, "recipient_phone": "+45" + "9" * 40})
@example(form={**VALID_SHIPMENT_FORM, "parcel_count": "99", "weight_kg": "10000"})
def test_a_bad_shipment_form_comes_back_with_field_errors(
    form: dict[str, str], alice_client: Client, personas: Personas, shipper: Customer
) -> None:
    before = _shipment_rows(personas)
    response = alice_client.post(reverse("shipments:new"), {**form, "customer": shipper.pk})
    after = _shipment_rows(personas)
    if response.status_code == 302:
        event("saved")
        assert after[0] == before[0] + 1
        return
    event("field errors")
    errors = _field_errors(response)
    assert all(messages for messages in errors.values())
    assert after == before


VALID_CUSTOMER_FORM = {
    "name": "Cykelbutikken ApS",
    "currency": "DKK",
    "customer_group": "1",
    "payment_terms": "1",
    "vat_zone": "1",
    "default_service": "standard",
}
CUSTOMER_FORM_FIELDS: dict[str, st.SearchStrategy[str]] = {
    **CUSTOMER_TEXT_FIELDS,
    "currency": nasty_text,
    "customer_group": numbers,
    "payment_terms": numbers,
    "vat_zone": numbers,
    "credit_limit": numbers,
    "default_service": nasty_text,
    "tags": nasty_text,
    "pickup_addresses": st.one_of(
        nasty_text,
        st.lists(nasty_text, min_size=1, max_size=4).map(" | ".join),
        st.lists(st.lists(nasty_text, max_size=5).map("|".join), max_size=60).map("\n".join),
    ),
    "contact_persons": st.one_of(
        nasty_text,
        st.tuples(nasty_text, st.emails().map(str), phone_numbers).map(" | ".join),
        st.lists(st.lists(nasty_text, max_size=5).map("|".join), max_size=60).map("\n".join),
    ),
    "notes": nasty_text,
}


@PROFILE
@given(form=filled(VALID_CUSTOMER_FORM, CUSTOMER_FORM_FIELDS))
@example(form={**VALID_CUSTOMER_FORM, "credit_limit": "99999999999999999999"})
@example(form={**VALID_CUSTOMER_FORM, "customer_group": "99999999999999999999"})
@example(form={**VALID_CUSTOMER_FORM, "tags": "t" * 500})
def test_a_bad_customer_form_comes_back_with_field_errors(
    form: dict[str, str], alice_client: Client, personas: Personas, unbanned: None
) -> None:
    before = Customer.objects.for_tenant(personas.tenant_a).count()
    response = alice_client.post(reverse("customers:create"), form)
    after = Customer.objects.for_tenant(personas.tenant_a).count()
    if response.status_code == 302:
        event("saved")
        assert after == before + 1
        assert alice_client.get(response["Location"]).status_code == 200
        return
    event("field errors")
    _field_errors(response)
    assert after == before


@PROFILE
@given(phone=phone_numbers, remove=st.one_of(st.none(), numbers))
@example(phone="+45 20 12 34 56", remove="99999999999999999999")
def test_a_bad_opt_out_number_comes_back_with_a_field_error(
    phone: str, remove: str | None, alice_client: Client, personas: Personas, unbanned: None
) -> None:
    before = OptOut.objects.for_tenant(personas.tenant_a).count()
    data = {"phone": phone} if remove is None else {"remove": remove}
    response = alice_client.post(reverse("notify:opt-outs"), data)
    after = OptOut.objects.for_tenant(personas.tenant_a).count()
    if remove is not None:
        event(f"remove: HTTP {response.status_code}")
        assert response.status_code in {302, 404}
        # 302: an earlier example's opt-out with that id was removed; 404: nothing changed
        assert after == (before - 1 if response.status_code == 302 else before)
        return
    if response.status_code == 302:
        event("saved")
        assert after in {before, before + 1}  # a number already opted out stays one row
        return
    event("field errors")
    assert "phone" in _field_errors(response)
    assert after == before
