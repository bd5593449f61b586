"""Telling people about suspicious use of their own account (OWASP ASVS 6.3.5).

Three things are worth an email to the account's owner, because only they can tell whether
it was them: their password was right but the second factor failed (someone may know the
password); a sign-in from a country the account has not signed in from for 90 days; and,
at sign-in, failed attempts on the account since the previous sign-in (also shown on
screen). Mail goes through the outbox; a burst of failures sends one email an hour.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.cache import cache
from django.core.mail import send_mail
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from budstikke.accounts.models import User
from budstikke.shield.models import SecurityEvent

COUNTRY_MEMORY = timedelta(days=90)
MFA_NOTICE_EVERY_SECONDS = 3600
_FAILURES = (SecurityEvent.Kind.LOGIN_FAILED, SecurityEvent.Kind.MFA_FAILED)


def _when(event: SecurityEvent) -> str:
    return f"{event.at:%Y-%m-%d %H:%M} UTC"


def _where(event: SecurityEvent) -> str:
    if event.ip is None:
        return _("an unknown address")
    return f"{event.ip} ({event.country})" if event.country else str(event.ip)


def _mail(user: User, subject: str, body: str) -> None:
    footer = _(
        "If this was not you, change your password now and sign out everywhere from your "
        "account page. Your company's administrator can see the attempts too."
    )
    send_mail(subject, f"{body}\n\n{footer}\n", None, [user.email])


def after_login(request: HttpRequest, user: User, event: SecurityEvent) -> None:
    """Called once a sign-in has fully succeeded (password and second factor)."""
    earlier = (
        SecurityEvent.objects.filter(user=user, kind=SecurityEvent.Kind.LOGIN_SUCCEEDED)
        .exclude(pk=event.pk)
        .order_by("-at")
    )
    previous = earlier.first()
    if previous is None:
        return  # the first sign-in: nothing to compare with
    failures = SecurityEvent.objects.filter(
        user=user, kind__in=_FAILURES, at__gt=previous.at, at__lte=event.at
    ).count()
    new_country = (
        bool(event.country)
        and not earlier.filter(country=event.country, at__gte=event.at - COUNTRY_MEMORY).exists()
    )
    with translation.override(user.language or None):
        lines: list[str] = []
        if failures:
            said = ngettext(
                "%(count)d failed sign-in attempt on your account since your last sign-in.",
                "%(count)d failed sign-in attempts on your account since your last sign-in.",
                failures,
            ) % {"count": failures}
            messages.warning(request, said)
            lines.append(said)
        if new_country:
            lines.append(
                _("You signed in from %(where)s at %(when)s, a country new to this account.")
                % {"where": _where(event), "when": _when(event)}
            )
        if lines:
            _mail(user, _("Budstikke: a sign-in to your account"), "\n\n".join(lines))


def after_second_factor_failed(user: User, event: SecurityEvent) -> None:
    """The password was right, the second factor was not: the owner must know."""
    if not cache.add(f"accounts:notice:mfa:{user.pk}", 1, timeout=MFA_NOTICE_EVERY_SECONDS):
        return
    with translation.override(user.language or None):
        _mail(
            user,
            _("Budstikke: your password was used, the second factor failed"),
            _(
                "At %(when)s someone signed in to your account with the right password from "
                "%(where)s, but failed the second factor. If it was not you, someone knows "
                "your password."
            )
            % {"when": _when(event), "where": _where(event)},
        )
