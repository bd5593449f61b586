"""Reads about accounts that views and middleware share."""

from __future__ import annotations

from allauth.mfa.models import Authenticator

from budstikke.accounts.models import User

# Recovery codes are a fallback for these, never a second factor on their own.
PRIMARY_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user: User) -> bool:
    return bool(Authenticator.objects.filter(user_id=user.pk, type__in=PRIMARY_FACTORS).exists())
