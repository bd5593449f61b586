"""Hooks into allauth's and Django's signals, their only extension points for these:
security events for failed second factors, and session stamps at every kind of login."""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals
from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest

from budstikke.accounts import notices, sessions
from budstikke.accounts.models import User
from budstikke.shield.events import record
from budstikke.shield.models import SecurityEvent


def on_mfa_failed(
    sender: type[Authenticator],
    request: HttpRequest | None = None,
    user: User | None = None,
    authenticator: Authenticator | None = None,
    reauthentication: bool = False,
    **kwargs: Any,
) -> None:
    kind = SecurityEvent.Kind.REAUTH_FAILED if reauthentication else SecurityEvent.Kind.MFA_FAILED
    event = record(
        kind,
        request=request,
        user=user,
        method="mfa",
        authenticator=authenticator.type if authenticator is not None else "",
    )
    if not reauthentication and user is not None:
        notices.after_second_factor_failed(user, event)


def on_login(sender: type[User], request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Every login path (allauth, an invitation's acceptance, a test's force_login) starts
    the session's clocks and records the epoch it belongs to."""
    if request is not None and hasattr(request, "session"):
        sessions.stamp(request, user)


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="budstikke.accounts.stamp_session")
    signals.authentication_failed.connect(
        on_mfa_failed, sender=Authenticator, dispatch_uid="budstikke.accounts.mfa_failed"
    )
