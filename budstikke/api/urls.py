from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.api import views

app_name = "apikeys"

urlpatterns: list[URLPattern] = [
    path("", views.key_list, name="list"),
    path("new/", views.key_create, name="create"),
    path("<int:api_key>/revoke/", views.key_revoke, name="revoke"),
]
