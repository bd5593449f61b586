"""Tenant-side data-subject request pages, included by privacy/urls.py under the "privacy"
namespace (mounted at /tenant/privacy/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.privacy import dsr_views

urlpatterns: list[URLPattern] = [
    path("requests/", dsr_views.dsr_list, name="dsr_list"),
    path("requests/search/", dsr_views.dsr_search, name="dsr_search"),
    path("requests/export/", dsr_views.dsr_export, name="dsr_export"),
    path("requests/erase/", dsr_views.dsr_erase, name="dsr_erase"),
]
