from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.ops import views

app_name = "ops"

urlpatterns: list[URLPattern] = [
    path("", views.tenants, name="tenants"),
]
