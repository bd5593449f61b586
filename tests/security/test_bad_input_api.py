"""Hypothesis-generated bodies for `POST /api/v1/shipments` and the customer API: the answer
is the resource, or a JSON error with a `code`; never a 500, never a half-written row."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import event, example, given
from hypothesis import strategies as st

from budstikke.api.actions import create_api_key
from budstikke.customers.models import Customer
from budstikke.notify.models import SmsMessage
from budstikke.shipments.models import IdempotencyKey, Parcel, Shipment, TrackingEvent
from budstikke.shipments.testing import make_customer
from budstikke.tenants.testing import Personas
from tests.security.fuzzing import (
    CUSTOMER_TEXT_FIELDS,
    PROFILE,
    datetimes,
    json_values,
    nasty_text,
    numbers,
    phone_numbers,
    postcodes,
)

pytestmark = pytest.mark.django_db

VALID_SHIPMENT: dict[str, Any] = {
    "customer_number": 4711,
    "recipient_name": "Mette Mogensen",
    "recipient_phone": "+4520123456",
    "delivery_address": "Vesterbrogade 10",
    "delivery_postcode": "1620",
    "delivery_city": "København V",
}
SHIPMENT_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "customer_number": st.one_of(st.integers(min_value=-(2**70), max_value=2**70), json_values),
    "service": nasty_text,
    "recipient_name": nasty_text,
    "recipient_phone": phone_numbers,
    "recipient_email": st.one_of(st.emails().map(str), nasty_text),
    "recipient_language": nasty_text,
    "delivery_address": nasty_text,
    "delivery_postcode": postcodes,
    "delivery_city": nasty_text,
    "delivery_country": nasty_text,
    "pickup_index": st.one_of(st.integers(min_value=-(2**70), max_value=2**70), json_values),
    "pickup_name": nasty_text,
    "pickup_address": nasty_text,
    "pickup_postcode": postcodes,
    "pickup_city": nasty_text,
    "pickup_country": nasty_text,
    "pickup_phone": phone_numbers,
    "reference": nasty_text,
    "order_reference": nasty_text,
    "notes": nasty_text,
    "window_start": datetimes,
    "window_end": datetimes,
    "cod_amount": st.one_of(numbers, json_values),
    "cod_currency": nasty_text,
    "parcels": st.one_of(
        json_values,
        st.lists(
            st.dictionaries(
                st.sampled_from(["weight_kg", "length_cm", "width_cm", "height_cm", "extra"]),
                st.one_of(numbers, st.integers(-(2**40), 2**40), json_values),
                max_size=4,
            ),
            max_size=120,
        ),
    ),
    "unknown_field": json_values,
}


@st.composite
def shipment_bodies(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)  # not even an object
    body = dict(VALID_SHIPMENT)
    for name in draw(st.lists(st.sampled_from(sorted(SHIPMENT_FIELDS)), max_size=4, unique=True)):
        if draw(st.integers(0, 5)) == 0:
            body.pop(name, None)
        else:
            body[name] = draw(SHIPMENT_FIELDS[name])
    return body


CUSTOMER_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    **CUSTOMER_TEXT_FIELDS,
    "currency": st.one_of(st.sampled_from(["DKK", "eur", "XXX", "DK"]), nasty_text),
    "customer_group": st.one_of(st.integers(-(2**70), 2**70), json_values),
    "payment_terms": st.one_of(st.integers(-(2**70), 2**70), json_values),
    "vat_zone": st.one_of(st.integers(-(2**70), 2**70), json_values),
    "credit_limit": st.one_of(numbers, json_values),
    "default_service": nasty_text,
    "tags": st.one_of(st.lists(nasty_text, max_size=60), json_values),
    "notes": nasty_text,
    "pickup_addresses": st.one_of(
        json_values,
        st.lists(
            st.fixed_dictionaries(
                {"label": nasty_text, "address": nasty_text},
                optional={"instructions": nasty_text},
            ),
            max_size=3,
        ),
    ),
    "contact_persons": st.one_of(
        json_values,
        st.lists(
            st.fixed_dictionaries(
                {"name": nasty_text}, optional={"email": nasty_text, "phone": phone_numbers}
            ),
            max_size=3,
        ),
    ),
    "custom_fields": st.one_of(
        json_values, st.dictionaries(nasty_text, st.one_of(json_values, datetimes), max_size=3)
    ),
}


@st.composite
def customer_bodies(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    body: dict[str, Any] = {"name": "Cykelbutikken ApS"}
    for name in draw(st.lists(st.sampled_from(sorted(CUSTOMER_FIELDS)), max_size=5, unique=True)):
        body[name] = draw(CUSTOMER_FIELDS[name])
    return body


# What an HTTP client can put in a header (no control characters, latin-1).
header_values = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=300)


@pytest.fixture
def api_client(personas: Personas, unbanned: None) -> Client:
    from budstikke.api.scopes import SCOPES
    from conftest import HttpsClient

    make_customer(personas.tenant_a, customer_number=4711)
    _key, secret = create_api_key(
        tenant=personas.tenant_a, name="Fuzz", scopes=sorted(SCOPES), created_by=None
    )
    return HttpsClient(headers={"authorization": f"Bearer {secret}"})


def _rows(personas: Personas) -> tuple[int, ...]:
    tenant = personas.tenant_a
    return (
        Shipment.objects.for_tenant(tenant).count(),
        Parcel.objects.for_tenant(tenant).count(),
        TrackingEvent.objects.for_tenant(tenant).count(),
        SmsMessage.objects.for_tenant(tenant).count(),
        IdempotencyKey.objects.for_tenant(tenant).count(),
        Customer.objects.for_tenant(tenant).count(),
    )


def _assert_json_error(response: Any) -> None:
    assert response.status_code < 500, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    error = response.json()
    assert isinstance(error.get("code"), str), error
    assert error["code"], error
    assert isinstance(error.get("message"), str), error


def _send(client: Client, method: str, url: str, body: Any, **headers: str) -> Any:
    response = getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", headers=headers
    )
    event(f"HTTP {response.status_code}")
    return response


@PROFILE
@given(body=shipment_bodies(), idempotency_key=st.one_of(st.none(), header_values))
@example(body={**VALID_SHIPMENT, "window_start": "0001-01-01T00:00:00+01:00"}, idempotency_key=None)
@example(body={**VALID_SHIPMENT, "window_end": "9999-12-31T23:59:00-05:00"}, idempotency_key=None)
@example(body={**VALID_SHIPMENT, "reference": "a\x00b"}, idempotency_key=None)
@example(body={**VALID_SHIPMENT, "order_reference": "R" * 101}, idempotency_key=None)
@example(body={**VALID_SHIPMENT, "customer_number": 2**70}, idempotency_key=None)
@example(body={**VALID_SHIPMENT, "parcels": [{"weight_kg": "NaN"}]}, idempotency_key=None)
@example(body={**VALID_SHIPMENT, "cod_amount": "1e400"}, idempotency_key=None)
def test_a_bad_shipment_body_is_a_json_error_and_writes_nothing(
    body: Any, idempotency_key: str | None, api_client: Client, personas: Personas
) -> None:
    before = _rows(personas)
    headers = {} if idempotency_key is None else {"idempotency_key": idempotency_key}
    response = _send(api_client, "post", "/api/v1/shipments", body, **headers)
    after = _rows(personas)
    if response.status_code == 201:
        assert after[0] == before[0] + 1
        assert after[1] - before[1] == len(response.json()["parcels"])
        return
    if response.status_code == 200:  # the replay of an earlier example's Idempotency-Key
        assert response.json()["tracking_number"]
        assert after == before
        return
    _assert_json_error(response)
    assert after == before, f"{response.status_code} left rows behind"


@PROFILE
@given(body=customer_bodies())
@example(body={"name": "Nul\x00ApS", "tags": ["a\x00b"]})
@example(body={"name": "Big", "customer_group": 2**70})
@example(body={"name": "Big", "credit_limit": "1e400"})
@example(body={"name": "Custom", "custom_fields": {"x": "0001-01-01"}})
@example(body={"name": "Tagged", "tags": ["t" * 499]})
def test_a_bad_customer_body_is_a_json_error_and_writes_nothing(
    body: Any, api_client: Client, personas: Personas
) -> None:
    before = _rows(personas)
    response = _send(api_client, "post", "/api/v1/customers", body)
    after = _rows(personas)
    if response.status_code == 201:
        assert after[5] == before[5] + 1
        fetched = api_client.get(f"/api/v1/customers/{response.json()['id']}")
        assert fetched.status_code == 200
        return
    _assert_json_error(response)
    assert after == before


@PROFILE
@given(body=customer_bodies())
def test_a_bad_customer_change_is_a_json_error_and_changes_nothing(
    body: Any, api_client: Client, personas: Personas
) -> None:
    customer = Customer.objects.for_tenant(personas.tenant_a).get(customer_number=4711)
    url = f"/api/v1/customers/{customer.pk}"
    before = api_client.get(url).json()
    if isinstance(body, dict) and len(body) > 1:
        body.pop("name", None)  # a change need not rename
    response = _send(api_client, "patch", url, body)
    if response.status_code == 200:
        assert api_client.get(url).status_code == 200
        return
    _assert_json_error(response)
    assert api_client.get(url).json() == before


LIST_QUERIES: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "/api/v1/shipments": {
        "cursor": nasty_text,
        "limit": numbers,
        "status": nasty_text,
        "reference": nasty_text,
    },
    "/api/v1/customers": {
        "q": nasty_text,
        "state": nasty_text,
        "tag": nasty_text,
        "archived": nasty_text,
        "cursor": nasty_text,
        "limit": numbers,
    },
}


@PROFILE
@given(data=st.data(), path=st.sampled_from(sorted(LIST_QUERIES)))
@example(data=None, path="/api/v1/shipments?reference=a%00b")
@example(data=None, path="/api/v1/customers?q=a%00b")
@example(data=None, path="/api/v1/customers?cursor=OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5")
def test_bad_list_filters_are_a_json_error(
    data: Any, path: str, api_client: Client, personas: Personas
) -> None:
    query = {}
    if data is not None:
        fields = LIST_QUERIES[path]
        names = data.draw(st.lists(st.sampled_from(sorted(fields)), min_size=1, unique=True))
        query = {name: data.draw(fields[name]) for name in names}
    response = api_client.get(path, query)
    event(f"HTTP {response.status_code}")
    if response.status_code == 200:
        assert isinstance(response.json()["items"], list)
        return
    _assert_json_error(response)
