"""Operator offboarding pages, included by privacy/ops_urls.py ("privacy-ops" namespace)."""

from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.privacy import offboarding_views as views

urlpatterns: list[URLPattern] = [
    path("offboarding/", views.ops_offboarding, name="offboarding"),
    path("offboarding/<int:tenant>/end/", views.ops_end_licence, name="end-licence"),
    path(
        "offboarding/certificates/<int:certificate>/",
        views.ops_certificate,
        name="certificate",
    ),
]
