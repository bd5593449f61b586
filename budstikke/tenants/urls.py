from __future__ import annotations

from django.urls import URLPattern, path

from budstikke.tenants import views

app_name = "tenants"

urlpatterns: list[URLPattern] = [
    path("tenant/", views.home, name="home"),
    path("tenant/switch/", views.switch, name="switch"),
    path("tenant/members/", views.members, name="members"),
    path("tenant/members/invite/", views.invite_member, name="invite"),
    path("tenant/members/<int:membership>/role/", views.member_role, name="member-role"),
    path("tenant/members/<int:membership>/remove/", views.member_remove, name="member-remove"),
    path(
        "tenant/invitations/<int:invitation>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
