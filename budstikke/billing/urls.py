from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.billing import views

app_name = "billing"

urlpatterns: list[URLPattern] = [
    path("", views.billing, name="home"),
    path("settings/", views.billing_settings, name="settings"),
    path("run/", views.run_now, name="run"),
    path("invoices/<int:invoice>/retry/", views.invoice_retry, name="invoice-retry"),
    path("reports/", views.report, name="reports"),
    path("reports/export.csv", views.report_csv, name="reports-csv"),
]
