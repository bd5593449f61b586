"""The reusable form field shows the policy's refusal where the number was typed."""

from __future__ import annotations

import pytest
from django import forms

from budstikke.notify.fields import SmsPhoneField, SmsPhoneValidator
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


def _form(personas: Personas, phone: str) -> forms.Form:
    class CustomerForm(forms.Form):
        mobile = SmsPhoneField(tenant=personas.tenant_a, required=False)

    form = CustomerForm({"mobile": phone})
    form.is_valid()
    return form


def test_a_national_number_is_cleaned_to_e164_in_the_tenants_country(personas: Personas) -> None:
    form = _form(personas, "20 12 34 56")
    assert form.cleaned_data["mobile"] == "+4520123456"


def test_a_refused_country_is_an_error_on_the_field(personas: Personas) -> None:
    form = _form(personas, "+43 664 1234567")
    assert form.errors["mobile"] == [
        "SMS cannot be sent to this number: country code +43 is not enabled. Your "
        "administrator can ask for the country under SMS settings."
    ]
    assert form.errors.as_data()["mobile"][0].code == "sms_country_not_enabled"


def test_an_invalid_number_is_an_error_not_a_crash(personas: Personas) -> None:
    form = _form(personas, "12")
    assert form.errors["mobile"] == ["Not a valid phone number: +4512 is not a valid phone number."]
    assert _form(personas, "call me").errors["mobile"] == [
        "Not a valid phone number: this is not a phone number."
    ]


def test_empty_is_left_to_required(personas: Personas) -> None:
    assert _form(personas, "").cleaned_data["mobile"] == ""


def test_the_validator_serves_csv_rows(personas: Personas) -> None:
    validate = SmsPhoneValidator(personas.tenant_a)
    assert validate("+46 70 123 45 67") == "+46701234567"
    with pytest.raises(forms.ValidationError):
        validate("+12015550123")
