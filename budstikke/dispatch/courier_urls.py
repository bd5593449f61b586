from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.dispatch import courier_views

app_name = "courier"

urlpatterns: list[URLPattern] = [
    path("", courier_views.stops, name="stops"),
    path("stops/<int:shipment>/", courier_views.stop, name="stop"),
    path("stops/<int:shipment>/update/", courier_views.update, name="update"),
]
