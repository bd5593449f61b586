from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from budstikke.shield import networks


class NetworkField(forms.CharField):
    def clean(self, value: object) -> str:
        text = str(super().clean(value))
        try:
            networks.parse_network(text)
        except ValueError as exc:
            raise forms.ValidationError(
                _("Enter an IP address or a network such as 192.0.2.0/24.")
            ) from exc
        return text


class BanForm(forms.Form):
    network = NetworkField(label=_("Address or network"), max_length=50)
    hours = forms.IntegerField(label=_("Hours"), min_value=1, max_value=24 * 365, initial=24)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class AllowForm(forms.Form):
    network = NetworkField(label=_("Address or network"), max_length=50)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PinForm(forms.Form):
    STATES = [
        ("restricted", _("Restricted (tracking page stays open)")),
        ("blocked", _("Fully blocked")),
        ("open", _("Never restricted")),
    ]
    country = forms.RegexField(
        label=_("Country code"),
        regex=r"^[A-Za-z]{2}$",
        error_messages={"invalid": _("Enter a two-letter country code such as CN.")},
    )
    state = forms.ChoiceField(label=_("State"), choices=STATES)
