"""Operator records pages, included by privacy/ops_urls.py under the "privacy-ops" namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.privacy import records_ops_views as views

urlpatterns: list[URLPattern] = [
    path("sub-processors/", views.subprocessor_list, name="subprocessors"),
    path("sub-processors/new/", views.subprocessor_add, name="subprocessor-add"),
    path("sub-processors/<int:pk>/edit/", views.subprocessor_edit, name="subprocessor-edit"),
    path("sub-processors/<int:pk>/remove/", views.subprocessor_remove, name="subprocessor-remove"),
    path("agreement/", views.dpa_list, name="dpa"),
    path("agreement/new/", views.dpa_publish, name="dpa-publish"),
    path("record/", views.record_page, name="records"),
    path("record/pdf/", views.record_pdf, name="records-pdf"),
    path("incidents/", views.incident_list, name="incidents"),
    path("incidents/new/", views.incident_add, name="incident-add"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="incident-edit"),
    path("incidents/<int:pk>/<slug:step>/", views.incident_step, name="incident-step"),
]
