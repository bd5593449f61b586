"""The tenant admin's security page, mounted at /tenant/security/."""

from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.shield import member_views

app_name = "tenant_security"

urlpatterns: list[URLPattern] = [
    path("", member_views.overview, name="overview"),
    path(
        "members/<int:membership>/end-sessions/",
        member_views.end_sessions,
        name="end-sessions",
    ),
]
