"""Data-subject request pages of the tenant admin (the controller): the request log, the
search for one person, the export download and the erasure with its confirmation.

The identifier of the person travels in POST bodies only, never in a URL (URLs end up in
access logs and browser history)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from budstikke.core import clock
from budstikke.privacy import dsr, dsr_erasure
from budstikke.privacy.dsr_export import counts, records
from budstikke.privacy.dsr_forms import EraseForm, SubjectForm
from budstikke.privacy.dsr_search import find
from budstikke.tenants.access import TenantRequest, reauthenticated, tenant_view
from budstikke.tenants.models import Role

ADMIN = [Role.ADMIN]

KIND_LABELS = {
    "customers": _("Customers"),
    "contact_persons": _("Contact persons of customers"),
    "economic_conflicts": _("e-conomic sync conflicts"),
    "economic_links": _("e-conomic sync snapshots"),
    "deliveries": _("Shipments to the person"),
    "tracking_events": _("Tracking events"),
    "proofs_of_delivery": _("Proofs of delivery"),
    "pickups": _("Shipments picked up from the person"),
    "sms_messages": _("Text messages"),
    "sms_opt_outs": _("SMS opt-outs"),
    "invitations": _("Invitations"),
    "log": _("Request log"),
}


def labelled(counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(str(KIND_LABELS.get(kind, kind)), n) for kind, n in counts.items()]


@tenant_view(roles=ADMIN)
@require_http_methods(["GET"])
def dsr_list(request: TenantRequest) -> HttpResponse:
    rows = [(r, labelled(r.counts)) for r in dsr.requests(request.tenant)[:200]]
    return render(request, "privacy/dsr_list.html", {"rows": rows, "form": SubjectForm()})


@never_cache
@tenant_view(roles=ADMIN)
@require_http_methods(["GET", "POST"])
def dsr_search(request: TenantRequest) -> HttpResponse:
    if request.method == "GET":
        return redirect("privacy:dsr_list")
    form = SubjectForm(request.POST)
    if not form.is_valid():
        return render(request, "privacy/dsr_list.html", {"form": form, "rows": []}, status=400)
    by, value = form.cleaned_data["by"], form.cleaned_data["value"]
    found = find(request.tenant, by, value)
    grouped = records(request.tenant, found)
    return render(
        request,
        "privacy/dsr_results.html",
        {
            "by": by,
            "value": value,
            "counts": labelled(counts(grouped)),
            "deliveries": grouped["deliveries"],
            "pickups": grouped["pickups"],
            "customers": grouped["customers"],
            "empty": found.empty,
        },
    )


@never_cache
@tenant_view(roles=ADMIN)
@require_POST
def dsr_export(request: TenantRequest) -> HttpResponse:
    form = SubjectForm(request.POST)
    if not form.is_valid():
        return render(request, "privacy/dsr_list.html", {"form": form, "rows": []}, status=400)
    _logged, content = dsr.export(
        request.tenant, request.user, form.cleaned_data["by"], form.cleaned_data["value"]
    )
    response = HttpResponse(content, content_type="application/zip")
    stamp = f"{clock.now():%Y%m%d-%H%M%S}"
    response["Content-Disposition"] = f'attachment; filename="data-subject-export-{stamp}.zip"'
    return response


@never_cache
@tenant_view(roles=ADMIN)
@require_http_methods(["GET", "POST"])
@reauthenticated
def dsr_erase(request: TenantRequest) -> HttpResponse:
    if request.method == "GET":
        return HttpResponseRedirect(reverse("privacy:dsr_list"))
    confirming = "confirmation" in request.POST
    form = EraseForm(request.POST) if confirming else SubjectForm(request.POST)
    if confirming and form.is_valid():
        logged, done = dsr.erase(
            request.tenant, request.user, form.cleaned_data["by"], form.cleaned_data["value"]
        )
        return render(
            request,
            "privacy/dsr_erased.html",
            {"request_row": logged, "counts": labelled(done.counts()), "kept": done.kept},
        )
    if set(form.errors) - {"confirmation"}:
        return render(request, "privacy/dsr_list.html", {"form": form, "rows": []}, status=400)
    by, value = form.cleaned_data["by"], form.cleaned_data["value"]
    preview = dsr_erasure.plan(request.tenant, find(request.tenant, by, value))
    if not confirming:
        form = EraseForm(initial={"by": by, "value": value})
    return render(
        request,
        "privacy/dsr_erase.html",
        {
            "form": form,
            "by": by,
            "value": value,
            "counts": labelled(preview.counts()),
            "kept": preview.kept,
        },
        status=400 if confirming else 200,
    )
