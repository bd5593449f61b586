"""Account pages of our own; allauth serves the rest under /accounts/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from budstikke.accounts.actions import end_all_sessions
from budstikke.accounts.models import User


@login_required
@require_http_methods(["GET", "POST"])
def sessions(request: HttpRequest) -> HttpResponse:
    """ "Log out everywhere": every session of this user ends, this one included."""
    if request.method == "POST":
        user = request.user
        assert isinstance(user, User)
        end_all_sessions(user)
        logout(request)
        messages.success(request, _("You have been signed out on all devices."))
        return redirect("account_login")
    return render(request, "account/sessions.html")
