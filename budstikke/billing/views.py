"""The admin's billing page (settings, run now, runs and their draft invoices) and the
reports page with its CSV exports."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from budstikke.billing import actions, reports
from budstikke.billing.forms import BillingSettingsForm, ReportForm
from budstikke.billing.models import BillingRun, Invoice
from budstikke.dispatch.selectors import today
from budstikke.economic.actions import connection_of
from budstikke.tenants.access import TenantRequest, tenant_view
from budstikke.tenants.models import Role

ADMIN = {Role.ADMIN}
OFFICE = {Role.ADMIN, Role.DISPATCHER}


@tenant_view(roles=ADMIN)
@require_GET
def billing(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    connection = connection_of(tenant)
    return render(
        request,
        "billing/billing.html",
        {
            "form": BillingSettingsForm(instance=actions.settings_for(tenant)),
            "connected": connection is not None and connection.is_connected,
            "runs": BillingRun.objects.for_tenant(tenant)[:12],
            "invoices": Invoice.objects.for_tenant(tenant).select_related("customer")[:100],
        },
    )


@tenant_view(roles=ADMIN)
@require_POST
def billing_settings(request: TenantRequest) -> HttpResponse:
    form = BillingSettingsForm(request.POST, instance=actions.settings_for(request.tenant))
    if form.is_valid():
        actions.save_settings(
            request.tenant,
            product_number=form.cleaned_data["product_number"],
            layout_number=form.cleaned_data["layout_number"],
            monthly=form.cleaned_data["monthly"],
        )
        messages.success(request, _("Billing settings saved."))
    else:
        messages.error(
            request,
            _("Check the billing settings: %(errors)s")
            % {"errors": " ".join(str(e) for errors in form.errors.values() for e in errors)},
        )
    return redirect("billing:home")


@tenant_view(roles=ADMIN)
@require_POST
def run_now(request: TenantRequest) -> HttpResponse:
    try:
        run = actions.run_billing(request.tenant, by=request.user)
    except actions.BillingNotReadyError as exc:
        messages.error(request, str(exc))
        return redirect("billing:home")
    messages.success(
        request,
        ngettext(
            "%(count)d draft invoice queued for e-conomic.",
            "%(count)d draft invoices queued for e-conomic.",
            run.invoice_count,
        )
        % {"count": run.invoice_count},
    )
    if run.skipped_customers:
        messages.error(
            request,
            ngettext(
                "%(count)d customer is not in e-conomic yet and was not billed.",
                "%(count)d customers are not in e-conomic yet and were not billed.",
                len(run.skipped_customers),
            )
            % {"count": len(run.skipped_customers)},
        )
    return redirect("billing:home")


@tenant_view(roles=ADMIN, objects={"invoice": Invoice})
@require_POST
def invoice_retry(request: TenantRequest, invoice: Invoice) -> HttpResponse:
    actions.retry_invoice(invoice)
    messages.success(request, _("The draft invoice is queued again."))
    return redirect("billing:home")


def _report(request: TenantRequest) -> tuple[ReportForm, reports.Report]:
    last = today(request.tenant)
    initial = {"start": last - timedelta(days=29), "end": last}
    form = ReportForm(request.GET if "start" in request.GET else initial)
    start: date = initial["start"]
    end: date = initial["end"]
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return form, reports.build(request.tenant, start, end)


@tenant_view(roles=OFFICE)
@require_GET
def report(request: TenantRequest) -> HttpResponse:
    form, built = _report(request)
    return render(
        request,
        "billing/reports.html",
        {"form": form, "report": built, "query": request.GET.urlencode()},
    )


@tenant_view(roles=OFFICE)
@require_GET
def report_csv(request: TenantRequest) -> HttpResponse:
    _form, built = _report(request)
    kind = request.GET.get("kind", "days")
    text = reports.failures_csv(built) if kind == "failures" else reports.days_csv(built)
    name = f"{kind if kind == 'failures' else 'deliveries'}-{built.start}-{built.end}.csv"
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
