"""Forms of the records pages: sub-processors, objections, agreement versions, incidents."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from budstikke.core import clock
from budstikke.privacy.incidents import IncidentData
from budstikke.privacy.models import Incident, SubProcessor
from budstikke.privacy.subprocessors import SubProcessorData
from budstikke.tenants.models import DataProcessingAgreement, Tenant

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def _when(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[LOCAL_MINUTE, "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
    )


class SubProcessorForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = SubProcessor
        fields = ["name", "purpose", "location", "transfer_basis", "data_categories"]

    def data_object(self) -> SubProcessorData:
        values = self.cleaned_data
        return SubProcessorData(
            name=values["name"],
            purpose=values["purpose"],
            location=values["location"],
            transfer_basis=values["transfer_basis"],
            data_categories=values.get("data_categories") or "",
        )


class ObjectionForm(forms.Form):
    notice = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why your company objects"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AgreementForm(forms.ModelForm):  # type: ignore[type-arg]
    effective_from = _when(_("Effective from"))

    class Meta:
        model = DataProcessingAgreement
        fields = ["version", "effective_from", "text", "changes"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 14}),
            "changes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].required = True
        self.fields["effective_from"].initial = clock.now().replace(second=0, microsecond=0)


class AcceptForm(forms.Form):
    agreement = forms.ModelChoiceField(
        queryset=DataProcessingAgreement.objects.all(), widget=forms.HiddenInput
    )


class IncidentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 5})
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Incident.Severity.choices, initial=Incident.Severity.MEDIUM
    )
    personal_data_breach = forms.BooleanField(
        label=_("Personal-data breach"),
        required=False,
        help_text=_("Starts the 72-hour clock for notifying the supervisory authority."),
    )
    data_categories = forms.CharField(
        label=_("Categories of data concerned"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    measures = forms.CharField(
        label=_("Measures taken"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    affected_tenants = forms.ModelMultipleChoiceField(
        label=_("Affected companies"),
        queryset=Tenant.objects.exclude(status=Tenant.Status.PURGED).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    occurred_at = _when(
        _("When it occurred"), required=False, help_text=_("Leave empty if unknown.")
    )
    aware_at = _when(_("When we became aware"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["aware_at"].initial = clock.now().replace(second=0, microsecond=0)

    @classmethod
    def for_incident(cls, incident: Incident, data: Any = None) -> IncidentForm:
        return cls(
            data,
            initial={
                "title": incident.title,
                "description": incident.description,
                "severity": incident.severity,
                "personal_data_breach": incident.personal_data_breach,
                "data_categories": incident.data_categories,
                "measures": incident.measures,
                "affected_tenants": list(incident.affected_tenants.all()),
                "occurred_at": incident.occurred_at,
                "aware_at": incident.aware_at,
            },
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        aware, occurred = data.get("aware_at"), data.get("occurred_at")
        if aware is not None and aware > clock.now():
            self.add_error("aware_at", _("This cannot be in the future."))
        if aware is not None and occurred is not None and occurred > aware:
            self.add_error(
                "occurred_at", _("An incident cannot occur after we became aware of it.")
            )
        return data

    def data_object(self) -> IncidentData:
        values = self.cleaned_data
        return IncidentData(
            title=values["title"],
            description=values["description"],
            severity=values["severity"],
            personal_data_breach=values["personal_data_breach"],
            data_categories=values.get("data_categories") or "",
            measures=values.get("measures") or "",
            occurred_at=values.get("occurred_at"),
            aware_at=values["aware_at"],
        )


class AuthorityForm(forms.Form):
    notified_at = _when(_("Notified at"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notified_at"].initial = clock.now().replace(second=0, microsecond=0)
