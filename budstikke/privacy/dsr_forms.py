"""Forms of the data-subject request pages: who to look for, and the typed confirmation of
an erasure."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from budstikke.privacy.dsr_search import EMAIL, NAME, PHONE, normalise
from budstikke.privacy.models import DataSubjectRequest
from budstikke.shipments.name_index import normalise_name


class SubjectForm(forms.Form):
    by = forms.ChoiceField(
        label=_("Search by"),
        choices=DataSubjectRequest.SearchBy.choices,
        initial=DataSubjectRequest.SearchBy.EMAIL,
    )
    value = forms.CharField(
        label=_("Email address, phone number or full name"),
        max_length=300,
        help_text=_("Exact match: a name must be the whole name, e.g. “Anna Hansen”."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        by, value = data.get("by"), str(data.get("value") or "").strip()
        if not by or not value:
            return data
        if by == EMAIL:
            try:
                validate_email(value)
            except forms.ValidationError:
                self.add_error("value", _("Enter a valid email address."))
        elif by == PHONE:
            try:
                valid = phonenumbers.is_possible_number(phonenumbers.parse(value, "DK"))
            except phonenumbers.NumberParseException:
                valid = False
            if not valid:
                self.add_error(
                    "value", _("Enter a phone number, with its country code if it is not Danish.")
                )
        elif by == NAME and len(normalise_name(value).replace(" ", "")) < 2:
            self.add_error("value", _("Enter the person's full name."))
        data["value"] = value
        return data


class EraseForm(SubjectForm):
    """The identifier typed a second time: an erasure cannot be undone."""

    confirmation = forms.CharField(
        label=_("Type the email address, phone number or name again to confirm"),
        max_length=300,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        by, value = data.get("by"), data.get("value")
        typed = str(data.get("confirmation") or "").strip()
        if by and value and typed and normalise(by, typed) != normalise(by, value):
            self.add_error("confirmation", _("That is not what you searched for."))
        return data
