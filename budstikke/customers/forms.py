"""The customer form: e-conomic's fields (with e-conomic's limits, so a push is not refused),
Budstikke's own fields, and the tenant's custom fields."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from budstikke.customers.actions import EDITABLE, normalise_tags
from budstikke.customers.models import Customer, CustomFieldDefinition, Service, SyncState
from budstikke.economic.simulator.resources import (
    CURRENCIES,
    CUSTOMER_GROUPS,
    PAYMENT_TERMS,
    VAT_ZONES,
)

CUSTOM_PREFIX = "cf_"


# The stored form (",a,b,") must fit the column.
TAGS_MAX_LENGTH = Customer._meta.get_field("tags").max_length or 500


def _numbered(choices: dict[int, str]) -> list[tuple[int, str]]:
    return [(number, f"{number} - {label}") for number, label in choices.items()]


def _lines(text: str) -> list[list[str]]:
    return [
        [part.strip() for part in line.split("|")] for line in text.splitlines() if line.strip()
    ]


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    address = forms.CharField(
        label=_("Address"), max_length=510, required=False, widget=forms.Textarea({"rows": 2})
    )
    zip = forms.CharField(label=_("Postcode"), max_length=30, required=False)
    city = forms.CharField(label=_("City"), max_length=50, required=False)
    country = forms.CharField(label=_("Country"), max_length=50, required=False)
    email = forms.CharField(
        label=_("Email"),
        max_length=255,
        required=False,
        help_text=_("Several addresses may be separated by spaces."),
    )
    mobile_phone = forms.CharField(label=_("Mobile phone"), max_length=50, required=False)
    telephone_and_fax = forms.CharField(
        label=_("Telephone and fax"), max_length=255, required=False
    )
    cvr = forms.CharField(label=_("CVR number"), max_length=40, required=False)
    ean = forms.CharField(label=_("EAN number"), max_length=40, required=False)
    website = forms.CharField(label=_("Website"), max_length=255, required=False)
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[(c, c) for c in sorted(CURRENCIES)], initial="DKK"
    )
    customer_group = forms.TypedChoiceField(
        label=_("Customer group"), coerce=int, choices=_numbered(CUSTOMER_GROUPS), initial=1
    )
    payment_terms = forms.TypedChoiceField(
        label=_("Payment terms"), coerce=int, choices=_numbered(PAYMENT_TERMS), initial=1
    )
    vat_zone = forms.TypedChoiceField(
        label=_("VAT zone"), coerce=int, choices=_numbered(VAT_ZONES), initial=1
    )
    credit_limit = forms.DecimalField(
        label=_("Credit limit"), required=False, max_digits=14, decimal_places=2, min_value=0
    )
    default_service = forms.ChoiceField(
        label=_("Default service"), choices=Service.choices, initial=Service.STANDARD
    )
    tags = forms.CharField(
        label=_("Tags"), max_length=500, required=False, help_text=_("Separated by commas.")
    )
    pickup_addresses = forms.CharField(
        label=_("Pickup addresses"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("One per line: label | address | instructions for the courier"),
    )
    contact_persons = forms.CharField(
        label=_("Contact persons"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("One per line: name | email | phone | role"),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea({"rows": 3}))

    def __init__(
        self,
        *args: Any,
        definitions: list[CustomFieldDefinition] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definitions = definitions or []
        for definition in self.definitions:
            self.fields[CUSTOM_PREFIX + definition.key] = self._custom_field(definition)

    @staticmethod
    def _custom_field(definition: CustomFieldDefinition) -> forms.Field:
        common: dict[str, Any] = {"label": definition.label, "required": definition.required}
        kind = definition.kind
        if kind == CustomFieldDefinition.Kind.NUMBER:
            return forms.DecimalField(max_digits=18, decimal_places=4, **common)
        if kind == CustomFieldDefinition.Kind.YES_NO:
            return forms.BooleanField(**(common | {"required": False}))
        if kind == CustomFieldDefinition.Kind.DATE:
            return forms.DateField(widget=forms.DateInput({"type": "date"}), **common)
        return forms.CharField(max_length=500, **common)

    @classmethod
    def initial_for(cls, customer: Customer) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(customer, name)
            for name in EDITABLE
            if name not in ("pickup_addresses", "contact_persons", "tags", "custom_fields")
        }
        initial["tags"] = ", ".join(customer.tag_list)
        initial["pickup_addresses"] = "\n".join(
            " | ".join(str(p.get(k, "")) for k in ("label", "address", "instructions"))
            for p in customer.pickup_addresses or []
        )
        initial["contact_persons"] = "\n".join(
            " | ".join(str(p.get(k, "")) for k in ("name", "email", "phone", "role"))
            for p in customer.contact_persons or []
        )
        for key, value in (customer.custom_fields or {}).items():
            initial[CUSTOM_PREFIX + key] = value
        return initial

    def clean_email(self) -> str:
        value: str = self.cleaned_data["email"]
        validate = EmailValidator(message=_("Enter valid email addresses, separated by spaces."))
        for part in value.split():
            validate(part)
        return value

    def clean_tags(self) -> str:
        value: str = self.cleaned_data["tags"]
        if len(normalise_tags(value)) > TAGS_MAX_LENGTH:
            raise forms.ValidationError(
                _("The tags are too long together: at most %(max)d characters.")
                % {"max": TAGS_MAX_LENGTH - 2}
            )
        return value

    def clean_pickup_addresses(self) -> list[dict[str, str]]:
        found = []
        for parts in _lines(self.cleaned_data["pickup_addresses"]):
            if len(parts) < 2 or not parts[1]:
                raise forms.ValidationError(
                    _("Each line needs at least a label and an address, separated by |.")
                )
            label, address, *rest = parts
            found.append({"label": label, "address": address, "instructions": " ".join(rest)})
        return found

    def clean_contact_persons(self) -> list[dict[str, str]]:
        found = []
        for parts in _lines(self.cleaned_data["contact_persons"]):
            name, email, phone, role = [*parts, "", "", ""][:4]
            if not name:
                raise forms.ValidationError(_("Each contact person needs a name."))
            if email:
                EmailValidator(
                    message=_("%(name)s: enter a valid email address.") % {"name": name}
                )(email)
            found.append({"name": name, "email": email, "phone": phone, "role": role})
        return found

    def changes(self) -> dict[str, Any]:
        """The cleaned data as keyword arguments of the customer actions."""
        data = dict(self.cleaned_data)
        custom: dict[str, Any] = {}
        for definition in self.definitions:
            value = data.pop(CUSTOM_PREFIX + definition.key, None)
            if isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, date):
                value = value.isoformat()
            if value not in (None, ""):
                custom[definition.key] = value
        data["custom_fields"] = custom
        return data


class CustomerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    state = forms.ChoiceField(
        label=_("Sync state"), required=False, choices=[("", _("Any")), *SyncState.choices]
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    archived = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Active customers")), ("yes", _("Archived customers")), ("all", _("All"))],
    )


class CustomFieldForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=80)
    key = forms.SlugField(
        label=_("Key"), max_length=40, help_text=_("Letters, digits, - and _ (used in the API).")
    )
    kind = forms.ChoiceField(label=_("Type"), choices=CustomFieldDefinition.Kind.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
