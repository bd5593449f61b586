"""The tenant's SMS pages: which events text, templates with a cost preview, the outbox,
country codes (and requests for more), opt-outs."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from budstikke.notify import actions, segments, selectors, texts
from budstikke.notify.events import LANGUAGES, SAMPLE_CONTEXT, Event
from budstikke.notify.forms import CountryRequestForm, OptOutForm, SettingsForm, TemplateForm
from budstikke.tenants.access import TenantRequest, tenant_view
from budstikke.tenants.models import Role

ADMIN = {Role.ADMIN}
OFFICE = {Role.ADMIN, Role.DISPATCHER}


@tenant_view(roles=ADMIN)
@require_http_methods(["GET", "POST"])
def settings_page(request: TenantRequest) -> HttpResponse:
    current = selectors.settings_for(request.tenant)
    initial = {
        "events": current.events,
        "sender": current.sender,
        "monthly_cap": current.monthly_cap,
        "rate_per_minute": current.rate_per_minute,
        "quiet_start": current.quiet_start,
        "quiet_end": current.quiet_end,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.save_settings(tenant=request.tenant, **form.cleaned_data)
        messages.success(request, _("SMS settings saved."))
        return redirect("notify:settings")
    return render(
        request,
        "notify/settings.html",
        {
            "form": form,
            "used": selectors.sent_this_month(request.tenant),
            "cap": current.monthly_cap,
            "gateway": settings.SMS_GATEWAY,
        },
    )


@tenant_view(roles=ADMIN)
@require_http_methods(["GET"])
def template_list(request: TenantRequest) -> HttpResponse:
    custom = selectors.custom_templates(request.tenant)
    rows = [
        {
            "event": event,
            "label": label,
            "languages": [
                {
                    "code": language,
                    "text": selectors.template_text(request.tenant, event, language),
                    "custom": (event, language) in custom,
                }
                for language in LANGUAGES
            ],
        }
        for event, label in Event.choices
    ]
    return render(request, "notify/templates.html", {"rows": rows})


@tenant_view(roles=ADMIN)
@require_http_methods(["GET", "POST"])
def template_edit(request: TenantRequest) -> HttpResponse:
    """`?event=…&language=…`: one text, with a preview of its segments and cost."""
    event = request.GET.get("event", Event.OUT_FOR_DELIVERY)
    language = request.GET.get("language", LANGUAGES[0])
    if event not in Event.values or language not in LANGUAGES:
        raise Http404
    text = selectors.template_text(request.tenant, event, language)
    form = TemplateForm(request.POST or None, initial={"body": text})
    action = request.POST.get("action", "preview")
    if request.method == "POST" and action == "reset":
        actions.reset_template(tenant=request.tenant, event=event, language=language)
        messages.success(request, _("The built-in text is used again."))
        return redirect("notify:templates")
    preview = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["body"]
        if action == "save":
            actions.save_template(tenant=request.tenant, event=event, language=language, body=text)
            messages.success(request, _("Text saved."))
            return redirect("notify:templates")
    if not form.errors:
        sample = texts.render(text, SAMPLE_CONTEXT | {"company": request.tenant.name})
        info = segments.count(sample)
        preview = {
            "text": sample,
            "info": info,
            "cost": info.cost(selectors.segment_price()),
            "currency": settings.SMS_CURRENCY,
        }
    return render(
        request,
        "notify/template_edit.html",
        {
            "form": form,
            "event_label": Event(event).label,
            "language": language,
            "preview": preview,
        },
    )


@tenant_view(roles=OFFICE)
@require_http_methods(["GET"])
def message_list(request: TenantRequest) -> HttpResponse:
    rows = list(selectors.messages(request.tenant)[:200])
    return render(
        request,
        "notify/messages.html",
        {"rows": rows, "gateway": settings.SMS_GATEWAY},
    )


@tenant_view(roles=ADMIN)
@require_http_methods(["GET", "POST"])
def countries(request: TenantRequest) -> HttpResponse:
    form = CountryRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_country_code(
                tenant=request.tenant,
                code=form.cleaned_data["code"],
                message=form.cleaned_data["message"],
                user=request.user,
            )
        except actions.NotifyError as error:
            form.add_error("code", str(error))
        else:
            messages.success(request, _("Request sent. You will see the answer here."))
            return redirect("notify:countries")
    return render(
        request,
        "notify/countries.html",
        {
            "form": form,
            "platform": selectors.platform_codes(),
            "granted": selectors.granted_codes(request.tenant),
            "requests": selectors.requests_of(request.tenant),
        },
    )


@tenant_view(roles=OFFICE)
@require_http_methods(["GET", "POST"])
def opt_outs(request: TenantRequest) -> HttpResponse:
    form = OptOutForm(request.POST or None)
    if request.method == "POST" and "remove" in request.POST:
        try:
            opt_out_id = int(request.POST["remove"])
        except ValueError:
            raise Http404 from None
        if not actions.remove_opt_out(tenant=request.tenant, opt_out_id=opt_out_id):
            raise Http404
        messages.success(request, _("The number may be texted again."))
        return redirect("notify:opt-outs")
    if request.method == "POST" and form.is_valid():
        try:
            actions.opt_out(tenant=request.tenant, phone=form.cleaned_data["phone"])
        except actions.NotifyError as error:
            form.add_error("phone", str(error))
        else:
            messages.success(request, _("The number will not be texted."))
            return redirect("notify:opt-outs")
    return render(
        request,
        "notify/opt_outs.html",
        {"form": form, "rows": selectors.opt_outs(request.tenant)},
    )
