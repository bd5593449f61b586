"""Tenant pages under /tenant/sms/, operator pages under /ops/sms/, gateway callbacks under
/sms/reports/."""

from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.notify import ops_views, report_views, views

app_name = "notify"

urlpatterns: list[URLPattern] = [
    path("tenant/sms/", views.settings_page, name="settings"),
    path("tenant/sms/templates/", views.template_list, name="templates"),
    path("tenant/sms/templates/edit/", views.template_edit, name="template-edit"),
    path("tenant/sms/messages/", views.message_list, name="messages"),
    path("tenant/sms/countries/", views.countries, name="countries"),
    path("tenant/sms/opt-outs/", views.opt_outs, name="opt-outs"),
    path("ops/sms/", ops_views.overview, name="ops"),
    path("ops/sms/requests/decide/", ops_views.decide, name="ops-decide"),
    path("ops/sms/codes/", ops_views.codes, name="ops-codes"),
    path("sms/reports/gatewayapi/", report_views.gatewayapi, name="callback-gatewayapi"),
    path("sms/reports/twilio/", report_views.twilio, name="callback-twilio"),
]
