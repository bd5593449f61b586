from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from budstikke.webhooks.models import EventType


class EndpointForm(forms.Form):
    url = forms.CharField(label=_("URL"), max_length=2000, help_text=_("https://…"))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )
