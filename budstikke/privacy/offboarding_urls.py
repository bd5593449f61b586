"""Tenant-side offboarding pages, included by privacy/urls.py under the "privacy" namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.privacy import offboarding_views as views

urlpatterns: list[URLPattern] = [
    path("offboarding/", views.offboarding_page, name="offboarding"),
    path("offboarding/export/", views.offboarding_export, name="offboarding-export"),
]
