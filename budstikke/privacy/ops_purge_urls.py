"""Operator purge pages, included by privacy/ops_urls.py under the "privacy-ops" namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.privacy import purge_views as views

urlpatterns: list[URLPattern] = [
    path("purge/", views.ops_purge, name="purge"),
]
