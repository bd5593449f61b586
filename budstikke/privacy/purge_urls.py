"""Tenant-side purge pages, included by privacy/urls.py under the "privacy" namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.privacy import purge_views as views

urlpatterns: list[URLPattern] = [
    path("retention/", views.retention, name="retention"),
]
