"""Offboarding pages: the tenant admin cancels, exports and withdraws; the operator ends a
licence and keeps the deletion certificates."""

from __future__ import annotations

import tempfile
from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from budstikke.core import clock
from budstikke.ops.access import operator_view
from budstikke.privacy import offboarding
from budstikke.privacy.models import DeletionCertificate
from budstikke.tenants.access import TenantRequest, reauthenticated, tenant_view
from budstikke.tenants.models import LicenceInvoice, Role, Tenant

ADMIN = [Role.ADMIN]


class ConfirmForm(forms.Form):
    """The company's short name typed out: a cancellation is not one click away."""

    confirm = forms.CharField(label=gettext_lazy("Type the company's short name to confirm"))

    def __init__(self, *args: object, expected: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.expected = expected

    def clean_confirm(self) -> str:
        typed = str(self.cleaned_data["confirm"]).strip()
        if typed != self.expected:
            raise forms.ValidationError(
                _("That is not the company's short name (%(slug)s).") % {"slug": self.expected}
            )
        return typed


@tenant_view(roles=ADMIN, when_cancelled=True)
@require_http_methods(["GET", "POST"])
@reauthenticated
def offboarding_page(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    form = ConfirmForm(request.POST or None, expected=tenant.slug)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "cancel" and form.is_valid():
                offboarding.cancel(tenant, by="admin")
                messages.warning(request, _("The subscription is cancelled."))
                return redirect("privacy:offboarding")
            if action == "withdraw":
                offboarding.withdraw(tenant)
                messages.success(request, _("The cancellation is withdrawn."))
                return redirect("privacy:offboarding")
        except offboarding.OffboardingError as exc:
            messages.error(request, str(exc))
            return redirect("privacy:offboarding")
    tenant.refresh_from_db()
    return render(
        request,
        "privacy/offboarding.html",
        {
            "tenant": tenant,
            "form": form,
            "grace_left": offboarding.grace_left(tenant),
            "cancelled": tenant.status == Tenant.Status.CANCELLED,
            "grace_days": settings.PRIVACY_GRACE_DAYS,
        },
    )


@tenant_view(roles=ADMIN, when_cancelled=True)
@require_http_methods(["GET"])
@reauthenticated
def offboarding_export(request: TenantRequest) -> HttpResponse:
    """Everything the company keeps here, as a zip streamed from a temporary file."""
    sink = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    offboarding.export(request.tenant, sink)
    sink.seek(0)
    name = f"budstikke-{request.tenant.slug}-{clock.now():%Y%m%d}.zip"
    response = FileResponse(sink, as_attachment=True, filename=name, content_type="application/zip")
    # A streamed response: the access decorators are typed for HttpResponse only.
    return cast("HttpResponse", response)


@require_http_methods(["GET"])
@operator_view
def ops_offboarding(request: HttpRequest) -> HttpResponse:
    leaving = Tenant.objects.exclude(status=Tenant.Status.ACTIVE).order_by("purge_after", "name")
    return render(
        request,
        "privacy/ops_offboarding.html",
        {
            "leaving": leaving,
            "active": Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("name"),
            "certificates": DeletionCertificate.objects.all()[:100],
        },
    )


@require_http_methods(["GET", "POST"])
@operator_view
def ops_end_licence(request: HttpRequest, tenant: int) -> HttpResponse:
    company = get_object_or_404(Tenant, pk=tenant, status=Tenant.Status.ACTIVE)
    form = ConfirmForm(request.POST or None, expected=company.slug)
    if request.method == "POST" and form.is_valid():
        offboarding.cancel(company, by="operator")
        messages.warning(
            request, _("The licence of %(company)s is ended.") % {"company": company.name}
        )
        return redirect("privacy-ops:offboarding")
    return render(request, "privacy/ops_end_licence.html", {"company": company, "form": form})


@require_http_methods(["GET"])
@operator_view
def ops_certificate(request: HttpRequest, certificate: int) -> HttpResponse:
    found = get_object_or_404(DeletionCertificate, pk=certificate)
    return render(
        request,
        "privacy/ops_certificate.html",
        {
            "certificate": found,
            "verified": offboarding.certificate_digest(found) == found.digest,
            "licence_invoices": LicenceInvoice.objects.filter(tenant_id=found.tenant_id).count(),
        },
    )
