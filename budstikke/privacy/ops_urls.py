"""Operator pages of data protection, mounted at /ops/privacy/ (namespace "privacy-ops")."""

from __future__ import annotations

from django.urls import URLResolver, include, path

app_name = "privacy-ops"

urlpatterns: list[URLResolver] = [
    path("", include("budstikke.privacy.ops_purge_urls")),
    path("", include("budstikke.privacy.ops_records_urls")),
    path("", include("budstikke.privacy.ops_offboarding_urls")),
]
