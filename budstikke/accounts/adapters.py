"""Budstikke's allauth adapters: trusted client IP, session stamps, security events, and
MFA secrets sealed with the platform key."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.reauthentication import reauthenticate_by_password
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from budstikke.accounts import notices
from budstikke.accounts.models import User
from budstikke.accounts.selectors import PRIMARY_FACTORS, has_second_factor
from budstikke.core.clientip import normalise
from budstikke.shield.events import record
from budstikke.shield.models import SecurityEvent
from budstikke.vault.platform import seal_text, unseal_text

MFA_PURPOSE = "mfa"


def _known_user(credentials: dict[str, Any]) -> User | None:
    """The account a failed attempt aimed at, if it exists; the typed address is not kept."""
    email = str(credentials.get("email") or "").strip()
    if not email:
        return None
    return User.objects.filter(email__iexact=email).first()


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    _reauthenticating = False

    def get_client_ip(self, request: HttpRequest) -> str:
        """REMOTE_ADDR is already the trusted client address (core.ClientIPMiddleware);
        X-Forwarded-For is never read here, so a spoofed header cannot move a rate limit."""
        address = normalise(str(request.META.get("REMOTE_ADDR", "")))
        if address is None:
            raise PermissionDenied("no client address")
        return address

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        super().login(request, user)
        assert isinstance(user, User)
        enrolled = has_second_factor(user)
        if not enrolled:
            # The password was proven seconds ago and enrollment is the only page left, so
            # the first enrollment does not ask for it again; every later change does.
            reauthenticate_by_password(request)
        event = record(SecurityEvent.Kind.LOGIN_SUCCEEDED, request=request, user=user, mfa=enrolled)
        notices.after_login(request, user, event)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            kind = (
                SecurityEvent.Kind.REAUTH_FAILED
                if self._reauthenticating
                else SecurityEvent.Kind.LOGIN_FAILED
            )
            record(kind, request=request, user=_known_user(credentials), reason="rate_limited")
            raise

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        if self._reauthenticating:
            record(SecurityEvent.Kind.REAUTH_FAILED, request=request, method="password")
        else:
            record(
                SecurityEvent.Kind.LOGIN_FAILED,
                request=request,
                user=_known_user(credentials),
                reason="bad_credentials",
            )

    def reauthenticate(self, user: AbstractBaseUser, password: str) -> bool:
        self._reauthenticating = True
        try:
            return bool(super().reauthenticate(user, password))
        finally:
            self._reauthenticating = False


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    def encrypt(self, text: str) -> str:
        """TOTP secrets and recovery seeds never reach the database in the clear."""
        return seal_text(text, purpose=MFA_PURPOSE)

    def decrypt(self, encrypted_text: str) -> str:
        return unseal_text(encrypted_text, purpose=MFA_PURPOSE)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Two-factor login is mandatory: the last TOTP or security key cannot be removed."""
        if authenticator.type not in PRIMARY_FACTORS:
            return True
        others = Authenticator.objects.filter(
            user_id=authenticator.user_id, type__in=PRIMARY_FACTORS
        ).exclude(pk=authenticator.pk)
        return bool(others.exists())
