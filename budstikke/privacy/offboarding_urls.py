"""Tenant-side offboarding pages, included by privacy/urls.py under the "privacy" namespace."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
