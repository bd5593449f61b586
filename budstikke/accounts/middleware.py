"""Chokepoints every signed-in request passes: session lifetime, then the second factor."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext_lazy as _

from budstikke.accounts import sessions
from budstikke.accounts.models import User
from budstikke.accounts.selectors import has_second_factor

# What a signed-in user without a second factor may reach: enrollment and the way out.
ENROLLMENT_URL_NAMES = frozenset(
    {
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "account_reauthenticate",
        "account_logout",
        "set_language",
        "healthz",
    }
)

_END_MESSAGES = {
    "ended": _("You were signed out on all devices. Please sign in again."),
    "expired": _("Your session has expired. Please sign in again."),
    "idle": _("You were signed out after a period of inactivity. Please sign in again."),
}


class SessionPolicyMiddleware:
    """Ends sessions that are idle, too old, or from before "log out everywhere"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User):
            if not sessions.is_stamped(request):
                sessions.stamp(request, user)
            else:
                reason = sessions.end_reason(request, user)
                if reason is not None:
                    logout(request)
                    messages.info(request, str(_END_MESSAGES[reason]))
                    return redirect_to_login(request.get_full_path())
                sessions.touch(request)
        response = self.get_response(request)
        # A login during this request (allauth stamps it itself; this covers any other path).
        after = getattr(request, "user", None)
        if isinstance(after, User) and not sessions.is_stamped(request):
            sessions.stamp(request, after)
        return response


class MandatoryMFAMiddleware:
    """A signed-in user without an enrolled authenticator gets only the enrollment pages.

    A password alone never reaches a tenant page or API data: every other URL, including
    ones that do not exist, redirects to TOTP enrollment.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User) and not self._allowed(request) and not has_second_factor(user):
            response = HttpResponseRedirect(reverse("mfa_activate_totp"))
            if request.headers.get("HX-Request"):
                response["HX-Redirect"] = response["Location"]
            return response
        return self.get_response(request)

    def _allowed(self, request: HttpRequest) -> bool:
        if request.path_info.startswith(self.static_prefix):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.url_name in ENROLLMENT_URL_NAMES
