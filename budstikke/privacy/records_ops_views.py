"""Operator pages of the records: the sub-processor list with its notices and objections, the
agreement versions and who accepted them, the processor's record, and the incident register.
Companies appear by name; no page shows a tenant's people or their data."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from budstikke.ops.access import operator_view
from budstikke.privacy import agreements, incidents, records, records_pdf, subprocessors
from budstikke.privacy.models import Incident, SubProcessor
from budstikke.privacy.records_forms import (
    AgreementForm,
    AuthorityForm,
    IncidentForm,
    SubProcessorForm,
)

# Sub-processors ----------------------------------------------------------------------------


@require_http_methods(["GET"])
@operator_view
def subprocessor_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/subprocessors_ops.html",
        {
            "subprocessors": subprocessors.current(),
            "removed": SubProcessor.objects.exclude(removed_at=None).order_by("-removed_at"),
            "notices": subprocessors.notices(),
            "objection_days": settings.PRIVACY_OBJECTION_DAYS,
        },
    )


def _notice_message(request: HttpRequest, noticed: bool) -> None:
    if noticed:
        messages.success(
            request,
            _("Saved. Every company's administrators are notified and may object."),
        )
    else:
        messages.success(request, _("Saved. The change needs no notice to the companies."))


@require_http_methods(["GET", "POST"])
@operator_view
def subprocessor_add(request: HttpRequest) -> HttpResponse:
    form = SubProcessorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subprocessors.add(form.data_object())
        _notice_message(request, True)
        return redirect("privacy-ops:subprocessors")
    return render(request, "privacy/subprocessors_form.html", {"form": form, "sub": None})


@require_http_methods(["GET", "POST"])
@operator_view
def subprocessor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    sub = get_object_or_404(subprocessors.current(), pk=pk)
    form = SubProcessorForm(request.POST or None, instance=sub)
    if request.method == "POST" and form.is_valid():
        data = form.data_object()
        sub.refresh_from_db()  # the form wrote its values onto the instance
        notice = subprocessors.update(sub, data)
        _notice_message(request, notice is not None)
        return redirect("privacy-ops:subprocessors")
    return render(request, "privacy/subprocessors_form.html", {"form": form, "sub": sub})


@require_http_methods(["GET", "POST"])
@operator_view
def subprocessor_remove(request: HttpRequest, pk: int) -> HttpResponse:
    sub = get_object_or_404(subprocessors.current(), pk=pk)
    if request.method == "POST":
        subprocessors.remove(sub)
        _notice_message(request, True)
        return redirect("privacy-ops:subprocessors")
    return render(request, "privacy/subprocessors_remove.html", {"sub": sub})


# Data-processing agreement -----------------------------------------------------------------


@require_http_methods(["GET"])
@operator_view
def dpa_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/dpa_ops.html",
        {"versions": agreements.with_acceptances(), "in_force": agreements.in_force()},
    )


@require_http_methods(["GET", "POST"])
@operator_view
def dpa_publish(request: HttpRequest) -> HttpResponse:
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agreement = agreements.publish(
            version=form.cleaned_data["version"],
            text=form.cleaned_data["text"],
            changes=form.cleaned_data["changes"],
            effective_from=form.cleaned_data["effective_from"],
        )
        messages.success(
            request,
            _("Version %(version)s is published. Company administrators can accept it.")
            % {"version": agreement.version},
        )
        return redirect("privacy-ops:dpa")
    return render(request, "privacy/dpa_publish.html", {"form": form})


# Record of processing ----------------------------------------------------------------------


@require_http_methods(["GET"])
@operator_view
def record_page(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/records_ops.html", {"record": records.for_processor()})


@require_http_methods(["GET"])
@operator_view
def record_pdf(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        records_pdf.render(records.for_processor()), content_type="application/pdf"
    )
    response["Content-Disposition"] = 'attachment; filename="record-of-processing.pdf"'
    return response


# Incidents ---------------------------------------------------------------------------------


@require_http_methods(["GET"])
@operator_view
def incident_list(request: HttpRequest) -> HttpResponse:
    rows = [
        {"incident": incident, "clock": incidents.breach_clock(incident)}
        for incident in incidents.register()
    ]
    return render(request, "privacy/incidents_ops.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@operator_view
def incident_add(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        incident = incidents.open_incident(
            data=form.data_object(),
            affected=form.cleaned_data["affected_tenants"],
            created_by=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, _("The incident is registered."))
        return redirect("privacy-ops:incident", pk=incident.pk)
    return render(request, "privacy/incidents_form.html", {"form": form, "incident": None})


@require_http_methods(["GET"])
@operator_view
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(incidents.register(), pk=pk)
    return render(
        request,
        "privacy/incidents_detail.html",
        {
            "incident": incident,
            "clock": incidents.breach_clock(incident),
            "authority_form": AuthorityForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@operator_view
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident, pk=pk)
    form = IncidentForm.for_incident(incident, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incidents.update(
                incident, data=form.data_object(), affected=form.cleaned_data["affected_tenants"]
            )
        except incidents.IncidentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The incident is updated."))
        return redirect("privacy-ops:incident", pk=incident.pk)
    return render(request, "privacy/incidents_form.html", {"form": form, "incident": incident})


@require_http_methods(["POST"])
@operator_view
def incident_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step of the incident's life: authority notified, companies notified, contained,
    closed."""
    incident = get_object_or_404(Incident, pk=pk)
    try:
        if step == "authority":
            form = AuthorityForm(request.POST)
            if not form.is_valid():
                return render(
                    request,
                    "privacy/incidents_detail.html",
                    {
                        "incident": incident,
                        "clock": incidents.breach_clock(incident),
                        "authority_form": form,
                    },
                    status=400,
                )
            incidents.record_authority_notification(incident, at=form.cleaned_data["notified_at"])
            messages.success(request, _("The notification of the authority is recorded."))
        elif step == "notify":
            sent = incidents.notify_tenants(incident)
            messages.success(
                request,
                _("%(count)d emails to the affected companies' administrators are queued.")
                % {"count": sent},
            )
        elif step == "contain":
            incidents.contain(incident)
            messages.success(request, _("The incident is marked as contained."))
        elif step == "close":
            incidents.close(incident)
            messages.success(request, _("The incident is closed."))
        else:
            return HttpResponse(status=404)
    except incidents.IncidentError as exc:
        messages.error(request, str(exc))
    return redirect("privacy-ops:incident", pk=incident.pk)
