from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from budstikke.notify.events import Event
from budstikke.notify.texts import unknown_placeholders


class SettingsForm(forms.Form):
    events = forms.MultipleChoiceField(
        label=_("Text the recipient when a shipment is"),
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    sender = forms.RegexField(
        label=_("Sender name"),
        regex=r"^[A-Za-z0-9 ]{0,11}$",
        max_length=11,
        required=False,
        help_text=_("Up to 11 letters or digits, shown as the sender. Empty: the platform's."),
        error_messages={"invalid": _("Use at most 11 letters (A-Z), digits and spaces.")},
    )
    monthly_cap = forms.IntegerField(
        label=_("Monthly limit"), min_value=0, help_text=_("SMS per calendar month at most.")
    )
    rate_per_minute = forms.IntegerField(label=_("Messages per minute"), min_value=1)
    quiet_start = forms.TimeField(
        label=_("Quiet hours from"), help_text=_("No SMS are sent in quiet hours; they wait.")
    )
    quiet_end = forms.TimeField(label=_("Quiet hours until"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """The installation's defaults are the ceiling: a tenant may only lower them."""
        super().__init__(*args, **kwargs)
        self.fields["monthly_cap"].validators.append(MaxValueValidator(settings.SMS_MONTHLY_CAP))
        self.fields["rate_per_minute"].validators.append(
            MaxValueValidator(settings.SMS_RATE_PER_MINUTE)
        )


class TemplateForm(forms.Form):
    body = forms.CharField(label=_("Text"), max_length=1000, widget=forms.Textarea)

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        unknown = unknown_placeholders(body)
        if unknown:
            raise forms.ValidationError(
                _("Unknown placeholder: %(names)s. Use {company}, {tracking_link}, {time_window}."),
                params={"names": ", ".join("{" + name + "}" for name in unknown)},
            )
        return body


def _calling_code(value: str) -> int:
    digits = value.strip().lstrip("+").strip()
    if not digits.isdigit() or int(digits) not in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
        raise forms.ValidationError(
            _("Enter a country calling code such as +43."), code="calling_code"
        )
    return int(digits)


class CallingCodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 5)
        kwargs.setdefault("label", _("Country calling code"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int:
        return _calling_code(str(super().clean(value)))


class CountryRequestForm(forms.Form):
    code = CallingCodeField(help_text=_("For example +43 for Austria."))
    message = forms.CharField(
        label=_("Why you need it"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Read by the platform operator. Do not write customers' personal data."),
    )


class OptOutForm(forms.Form):
    phone = forms.CharField(label=_("Phone number"), max_length=32)


class DecisionForm(forms.Form):
    request_id = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AllowCodeForm(forms.Form):
    code = CallingCodeField()
