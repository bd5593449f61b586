from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.backups import views

app_name = "backups"

urlpatterns: list[URLPattern] = [
    path("", views.overview, name="overview"),
]
