"""Operator pages of data protection, mounted at /ops/privacy/ (namespace "privacy-ops")."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from budstikke.privacy import hub_views

app_name = "privacy-ops"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", hub_views.ops_home, name="home"),
    path("", include("budstikke.privacy.ops_purge_urls")),
    path("", include("budstikke.privacy.ops_records_urls")),
    path("", include("budstikke.privacy.ops_offboarding_urls")),
]
