from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.shipments import public

app_name = "shipments-public"

urlpatterns: list[URLPattern] = [
    path("", public.search, name="search"),
    path("<str:number>", public.track, name="track"),
]
