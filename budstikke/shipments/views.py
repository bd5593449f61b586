"""The tenant's shipment pages: list, new (form), detail, timeline, labels, cancel, CSV import
and the price-rule page. Thin: rules in intake.py, writes in actions.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from budstikke.customers.models import Customer
from budstikke.shipments import actions, csvimport, labels, machine, numbers, selectors
from budstikke.shipments.forms import (
    CsvUploadForm,
    CustomerChoiceForm,
    PriceRuleForm,
    PriceSurchargeForm,
    PriceZoneForm,
    ShipmentForm,
)
from budstikke.shipments.machine import Status
from budstikke.shipments.models import (
    CsvImport,
    PriceRule,
    PriceSurcharge,
    PriceZone,
    Shipment,
    Source,
)
from budstikke.tenants.access import TenantRequest, tenant_object_or_404, tenant_view
from budstikke.tenants.models import Role

OFFICE = {Role.ADMIN, Role.DISPATCHER}
ADMIN = {Role.ADMIN}
PAGE_SIZE = 50


@tenant_view(roles=OFFICE)
@require_http_methods(["GET"])
def shipment_list(request: TenantRequest) -> HttpResponse:
    query = Shipment.objects.for_tenant(request.tenant).order_by("-created_at", "-pk")
    status = request.GET.get("status", "")
    if status in Status.values:
        query = query.filter(status=status)
    text = request.GET.get("q", "").strip()[:100]
    if text:
        number = numbers.normalise(text)
        query = query.filter(tracking_number=number) | query.filter(reference=text)
    page = Paginator(query.select_related("customer"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "shipments/list.html",
        {"page": page, "statuses": Status.choices, "status": status, "q": text},
    )


@never_cache
@tenant_view(roles=OFFICE)
@require_http_methods(["GET", "POST"])
def shipment_new(request: TenantRequest) -> HttpResponse:
    """Step one picks the shipper (its saved pickup addresses fill step two)."""
    customer_id = request.POST.get("customer") or request.GET.get("customer")
    if not customer_id:
        chooser = CustomerChoiceForm(tenant=request.tenant)
        return render(request, "shipments/new_customer.html", {"chooser": chooser})
    customer = tenant_object_or_404(request, request.tenant, Customer, pk=customer_id)
    form = ShipmentForm(
        request.POST if request.method == "POST" else None,
        tenant=request.tenant,
        customer=customer,
    )
    if request.method == "POST" and form.is_valid() and form.draft is not None:
        shipment = actions.create_shipment(
            request.tenant, form.draft, source=Source.WEB, actor=request.user
        )
        messages.success(
            request, _("Shipment %(number)s created.") % {"number": shipment.tracking_number}
        )
        return redirect("shipments:detail", shipment=shipment.pk)
    return render(request, "shipments/new.html", {"form": form, "customer": customer})


@tenant_view(roles=OFFICE, objects={"shipment": Shipment})
@require_http_methods(["GET"])
def shipment_detail(request: TenantRequest, shipment: Shipment) -> HttpResponse:
    return render(
        request,
        "shipments/detail.html",
        {
            "shipment": shipment,
            "events": selectors.timeline(shipment),
            "parcels": shipment.parcels.all(),
            "window": selectors.time_window_text(shipment),
            "can_cancel": shipment.status in machine.CANCELLABLE,
            "tracking_url": labels.tracking_url(shipment),
        },
    )


@tenant_view(roles=OFFICE, objects={"shipment": Shipment})
@require_http_methods(["GET"])
def shipment_events(request: TenantRequest, shipment: Shipment) -> HttpResponse:
    return render(
        request,
        "shipments/_timeline.html",
        {"shipment": shipment, "events": selectors.timeline(shipment)},
    )


@tenant_view(roles=OFFICE, objects={"shipment": Shipment})
@require_http_methods(["GET"])
def shipment_label(request: TenantRequest, shipment: Shipment) -> HttpResponse:
    return label_response([shipment], request.GET.get("format", "pdf"), request.GET.get("size"))


def label_response(shipments: list[Shipment], fmt: str, size: str | None) -> HttpResponse:
    name = shipments[0].tracking_number if len(shipments) == 1 else "labels"
    if fmt == "zpl":
        response = HttpResponse(labels.zpl(shipments), content_type="application/x-zpl")
        response["Content-Disposition"] = f'attachment; filename="{name}.zpl"'
        return response
    if fmt != "pdf" or (size or "a6") not in labels.SIZES:
        raise Http404
    response = HttpResponse(
        labels.pdf(shipments, size=size or "a6"), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@tenant_view(roles=OFFICE, objects={"shipment": Shipment})
@require_http_methods(["GET", "POST"])
def shipment_cancel(request: TenantRequest, shipment: Shipment) -> HttpResponse:
    if request.method == "POST":
        try:
            actions.cancel(shipment, actor=request.user, note=request.POST.get("note") or None)
        except machine.InvalidTransitionError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Shipment cancelled."))
        return redirect("shipments:detail", shipment=shipment.pk)
    return render(request, "shipments/cancel.html", {"shipment": shipment})


@tenant_view(roles=OFFICE)
@require_http_methods(["GET"])
def import_template(request: TenantRequest) -> HttpResponse:
    response = HttpResponse(csvimport.template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="budstikke-shipments.csv"'
    return response


@never_cache
@tenant_view(roles=OFFICE)
@require_http_methods(["GET", "POST"])
def import_upload(request: TenantRequest) -> HttpResponse:
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > csvimport.MAX_BYTES:
            form.add_error("file", _("The file is larger than 5 MB; split it."))
        else:
            try:
                stored, _preview = csvimport.upload(
                    request.tenant, upload.read(), user=request.user
                )
            except csvimport.CsvFileError as error:
                form.add_error("file", str(error))
            else:
                return redirect("shipments:import-preview", csv_import=stored.pk)
    return render(request, "shipments/import_upload.html", {"form": form})


@never_cache
@tenant_view(roles=OFFICE, objects={"csv_import": CsvImport})
@require_http_methods(["GET", "POST"])
def import_preview(request: TenantRequest, csv_import: CsvImport) -> HttpResponse:
    if csv_import.committed_at is not None:
        messages.info(request, _("This file was already imported."))
        return redirect("shipments:list")
    if request.method == "POST":
        try:
            created = csvimport.commit(csv_import, user=request.user)
        except csvimport.ImportRefusedError as refused:
            for message in refused.messages[:20]:
                messages.error(request, message)
        else:
            messages.success(request, _("%(count)d shipments imported.") % {"count": len(created)})
            return redirect("shipments:list")
    try:
        preview = csvimport.preview(request.tenant, csv_import.content or b"")
    except csvimport.CsvFileError as error:
        messages.error(request, str(error))
        return redirect("shipments:import")
    return render(
        request,
        "shipments/import_preview.html",
        {"csv_import": csv_import, "preview": preview, "shown": preview.rows[:100]},
    )


@never_cache
@tenant_view(roles=ADMIN)
@require_http_methods(["GET", "POST"])
def prices(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    kind = request.POST.get("kind")
    zone_form = PriceZoneForm(request.POST if kind == "zone" else None, prefix="zone")
    rule_form = PriceRuleForm(
        request.POST if kind == "rule" else None, prefix="rule", tenant=tenant
    )
    surcharge_form = PriceSurchargeForm(
        request.POST if kind == "surcharge" else None, prefix="surcharge"
    )
    form = {"zone": zone_form, "rule": rule_form, "surcharge": surcharge_form}.get(kind or "")
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            actions.save_price_data(tenant, form.save(commit=False))
        except IntegrityError:
            form.add_error(None, _("A zone with this name exists already."))
        else:
            messages.success(request, _("Saved. New shipments are priced with it."))
            return redirect("shipments:prices")
    return render(
        request,
        "shipments/prices.html",
        {
            "zones": PriceZone.objects.for_tenant(tenant),
            "rules": PriceRule.objects.for_tenant(tenant).select_related("zone"),
            "surcharges": PriceSurcharge.objects.for_tenant(tenant),
            "zone_form": zone_form,
            "rule_form": rule_form,
            "surcharge_form": surcharge_form,
        },
    )


@tenant_view(roles=ADMIN, objects={"zone": PriceZone})
@require_POST
def price_zone_delete(request: TenantRequest, zone: PriceZone) -> HttpResponse:
    actions.delete_price_data(zone)
    return redirect("shipments:prices")


@tenant_view(roles=ADMIN, objects={"rule": PriceRule})
@require_POST
def price_rule_delete(request: TenantRequest, rule: PriceRule) -> HttpResponse:
    actions.delete_price_data(rule)
    return redirect("shipments:prices")


@tenant_view(roles=ADMIN, objects={"surcharge": PriceSurcharge})
@require_POST
def price_surcharge_delete(request: TenantRequest, surcharge: PriceSurcharge) -> HttpResponse:
    actions.delete_price_data(surcharge)
    return redirect("shipments:prices")
