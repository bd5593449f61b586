"""Tenant-side records pages, included by privacy/urls.py under the "privacy" namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.privacy import records_views as views

urlpatterns: list[URLPattern] = [
    path("sub-processors/", views.subprocessor_list, name="subprocessors"),
    path("sub-processors/object/", views.subprocessor_object, name="subprocessor-object"),
    path("agreement/", views.dpa, name="dpa"),
    path("agreement/accept/", views.dpa_accept, name="dpa-accept"),
    path("record/", views.record_page, name="records"),
    path("record/pdf/", views.record_pdf, name="records-pdf"),
    path("incidents/", views.incident_list, name="incidents"),
]
