"""Customer pages: list (search, filters), detail with sync state and conflicts, create,
edit, archive; custom field definitions for the admin."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from budstikke.customers import actions, selectors
from budstikke.customers.forms import CustomerFilterForm, CustomerForm, CustomFieldForm
from budstikke.customers.models import Customer, CustomFieldDefinition
from budstikke.tenants.access import TenantRequest, tenant_view
from budstikke.tenants.models import Role

STAFF = {Role.ADMIN, Role.DISPATCHER}
ADMIN = {Role.ADMIN}
PAGE_SIZE = 50


@tenant_view(roles=STAFF)
@require_http_methods(["GET"])
def customer_list(request: TenantRequest) -> HttpResponse:
    form = CustomerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.filtered(request.tenant, **filters)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "customers/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@tenant_view(roles=STAFF, objects={"customer": Customer})
@require_http_methods(["GET"])
def customer_detail(request: TenantRequest, customer: Customer) -> HttpResponse:
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "custom": selectors.custom_values(customer),
            "conflicts": selectors.open_conflicts(customer),
            "push_error": selectors.push_error(customer),
            "is_admin": request.membership.role == Role.ADMIN,
        },
    )


@tenant_view(roles=STAFF)
@require_http_methods(["GET", "POST"])
def customer_create(request: TenantRequest) -> HttpResponse:
    definitions = selectors.definitions(request.tenant)
    form = CustomerForm(request.POST or None, definitions=definitions)
    if request.method == "POST" and form.is_valid():
        customer = actions.create_customer(tenant=request.tenant, **form.changes())
        messages.success(request, _("Customer created."))
        return redirect("customers:detail", customer=customer.pk)
    return render(request, "customers/form.html", {"form": form, "customer": None})


@tenant_view(roles=STAFF, objects={"customer": Customer})
@require_http_methods(["GET", "POST"])
def customer_edit(request: TenantRequest, customer: Customer) -> HttpResponse:
    definitions = selectors.definitions(request.tenant)
    form = CustomerForm(
        request.POST or None,
        definitions=definitions,
        initial=CustomerForm.initial_for(customer),
    )
    if request.method == "POST" and form.is_valid():
        actions.update_customer(customer, **form.changes())
        messages.success(request, _("Customer saved."))
        return redirect("customers:detail", customer=customer.pk)
    return render(request, "customers/form.html", {"form": form, "customer": customer})


@tenant_view(roles=STAFF, objects={"customer": Customer})
@require_http_methods(["GET", "POST"])
def customer_archive(request: TenantRequest, customer: Customer) -> HttpResponse:
    if request.method == "POST":
        if customer.is_archived:
            actions.restore_customer(customer)
            messages.success(request, _("Customer restored."))
        else:
            actions.archive_customer(customer)
            messages.success(request, _("Customer archived. e-conomic will bar it."))
        return redirect("customers:detail", customer=customer.pk)
    return render(request, "customers/archive.html", {"customer": customer})


@tenant_view(roles=ADMIN)
@require_http_methods(["GET", "POST"])
def custom_fields(request: TenantRequest) -> HttpResponse:
    form = CustomFieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.define_custom_field(tenant=request.tenant, **form.cleaned_data)
        except IntegrityError:
            form.add_error("key", _("A field with this key exists already."))
        else:
            messages.success(request, _("Field added."))
            return redirect("customers:fields")
    return render(
        request,
        "customers/fields.html",
        {"form": form, "definitions": selectors.definitions(request.tenant)},
    )


@tenant_view(roles=ADMIN, objects={"definition": CustomFieldDefinition})
@require_http_methods(["POST"])
def custom_field_remove(request: TenantRequest, definition: CustomFieldDefinition) -> HttpResponse:
    actions.remove_custom_field(definition)
    messages.success(request, _("Field removed. Values already entered are kept."))
    return redirect("customers:fields")
