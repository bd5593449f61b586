from __future__ import annotations

from allauth.account import views as allauth_views
from allauth.account.decorators import reauthentication_required
from django.urls import URLPattern, URLResolver, include, path

from budstikke.accounts import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("sessions/", views.sessions, name="account_sessions"),
    # allauth asks only for the old password here; we ask for a fresh re-authentication
    # (password or second factor) before the form is even shown, as for email and MFA.
    path(
        "password/change/",
        reauthentication_required(allauth_views.password_change),
        name="account_change_password",
    ),
    path("", include("allauth.urls")),
]
