from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from budstikke.api.scopes import SCOPES


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("Who or what uses the key, e.g. 'Web shop'.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=list(SCOPES.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one scope.")},
    )
