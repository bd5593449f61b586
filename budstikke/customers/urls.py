from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.customers import views

app_name = "customers"

urlpatterns: list[URLPattern] = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("fields/", views.custom_fields, name="fields"),
    path("fields/<int:definition>/remove/", views.custom_field_remove, name="field-remove"),
    path("<int:customer>/", views.customer_detail, name="detail"),
    path("<int:customer>/edit/", views.customer_edit, name="edit"),
    path("<int:customer>/archive/", views.customer_archive, name="archive"),
]
