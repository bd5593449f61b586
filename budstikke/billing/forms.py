from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from budstikke.billing.models import BillingSettings


class BillingSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = BillingSettings
        fields = ["product_number", "layout_number", "monthly"]


class ReportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
