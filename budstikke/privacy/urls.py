"""Tenant pages of data protection, mounted at /tenant/privacy/. Each concern keeps its own
URL module; they share the "privacy" namespace."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from budstikke.privacy import hub_views

app_name = "privacy"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", hub_views.tenant_home, name="home"),
    path("", include("budstikke.privacy.purge_urls")),
    path("", include("budstikke.privacy.dsr_urls")),
    path("", include("budstikke.privacy.records_urls")),
    path("", include("budstikke.privacy.offboarding_urls")),
]
