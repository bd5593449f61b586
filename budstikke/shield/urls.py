from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.shield import views

app_name = "shield"

urlpatterns: list[URLPattern] = [
    path("", views.center, name="center"),
    path("ban", views.ban, name="ban"),
    path("bans/<int:ban_id>/unban", views.unban, name="unban"),
    path("allow", views.allow, name="allow"),
    path("allow/<int:entry_id>/remove", views.disallow, name="disallow"),
    path("countries/pin", views.pin, name="pin"),
    path("countries/<str:country>/unpin", views.unpin, name="unpin"),
]
