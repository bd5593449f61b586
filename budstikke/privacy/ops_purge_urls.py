"""Operator purge pages, included by privacy/ops_urls.py under the "privacy-ops" namespace."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
