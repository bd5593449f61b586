"""Tenant pages of the records: sub-processors and objections, the data-processing agreement,
the record of processing (page and PDF), and the incidents that concerned the company.

No URL here names an object: notices and agreement versions are platform rows, chosen in the
posted form, and everything shown is filtered to the current tenant.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from budstikke.privacy import agreements, incidents, records, records_pdf, subprocessors
from budstikke.privacy.models import SubProcessorNotice
from budstikke.privacy.records_forms import AcceptForm, ObjectionForm
from budstikke.tenants.access import TenantRequest, tenant_view
from budstikke.tenants.models import Role

ADMIN = {Role.ADMIN}


def _subprocessor_page(
    request: TenantRequest, *, bound: ObjectionForm | None = None, status: int = 200
) -> HttpResponse:
    own = subprocessors.objections_of(request.tenant)
    rows: list[dict[str, Any]] = []
    for notice in SubProcessorNotice.objects.order_by("-published_at", "-pk"):
        form = bound if bound is not None and bound.data.get("notice") == str(notice.pk) else None
        rows.append(
            {
                "notice": notice,
                "open": subprocessors.is_open(notice),
                "objection": own.get(notice.pk),
                "form": form or ObjectionForm(initial={"notice": notice.pk}),
            }
        )
    context = {
        "subprocessors": subprocessors.current(),
        "notices": rows,
        "is_admin": request.membership.role == Role.ADMIN,
    }
    return render(request, "privacy/subprocessors_tenant.html", context, status=status)


@tenant_view()
@require_http_methods(["GET"])
def subprocessor_list(request: TenantRequest) -> HttpResponse:
    return _subprocessor_page(request)


@tenant_view(roles=ADMIN)
@require_http_methods(["POST"])
def subprocessor_object(request: TenantRequest) -> HttpResponse:
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        return _subprocessor_page(request, bound=form, status=400)
    notice = get_object_or_404(SubProcessorNotice, pk=form.cleaned_data["notice"])
    try:
        subprocessors.object_to(
            notice=notice,
            tenant=request.tenant,
            user=request.user,
            reason=form.cleaned_data["reason"],
        )
    except subprocessors.ObjectionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your objection is recorded. The platform operator sees it."))
    return redirect("privacy:subprocessors")


@tenant_view(roles=ADMIN)
@require_http_methods(["GET"])
def dpa(request: TenantRequest) -> HttpResponse:
    return render(
        request,
        "privacy/dpa_tenant.html",
        {"versions": agreements.for_tenant(request.tenant)},
    )


@tenant_view(roles=ADMIN)
@require_http_methods(["POST"])
def dpa_accept(request: TenantRequest) -> HttpResponse:
    form = AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a version of the agreement to accept."))
        return redirect("privacy:dpa")
    try:
        acceptance = agreements.accept(
            tenant=request.tenant,
            agreement=form.cleaned_data["agreement"],
            user=request.user,
            ip=request.META.get("REMOTE_ADDR") or None,
        )
    except agreements.AgreementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Your company has accepted version %(version)s of the agreement.")
            % {"version": acceptance.agreement.version},
        )
    return redirect("privacy:dpa")


@tenant_view(roles=ADMIN)
@require_http_methods(["GET"])
def record_page(request: TenantRequest) -> HttpResponse:
    return render(
        request,
        "privacy/records_tenant.html",
        {"record": records.for_controller(request.tenant)},
    )


@never_cache
@tenant_view(roles=ADMIN)
@require_http_methods(["GET"])
def record_pdf(request: TenantRequest) -> HttpResponse:
    record = records.for_controller(request.tenant)
    response = HttpResponse(records_pdf.render(record), content_type="application/pdf")
    name = f"record-of-processing-{slugify(request.tenant.name) or 'company'}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@tenant_view(roles=ADMIN)
@require_http_methods(["GET"])
def incident_list(request: TenantRequest) -> HttpResponse:
    return render(
        request,
        "privacy/incidents_tenant.html",
        {"incidents": incidents.affecting(request.tenant)},
    )
