from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.webhooks import views

app_name = "webhooks"

urlpatterns: list[URLPattern] = [
    path("", views.endpoints, name="list"),
    path("new/", views.endpoint_new, name="new"),
    path("<int:endpoint>/", views.endpoint_detail, name="detail"),
    path("<int:endpoint>/toggle/", views.endpoint_toggle, name="toggle"),
    path("<int:endpoint>/rotate/", views.endpoint_rotate, name="rotate"),
    path("<int:endpoint>/delete/", views.endpoint_delete, name="delete"),
]
