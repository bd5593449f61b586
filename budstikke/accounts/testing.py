"""Helpers for tests in every app: enroll a second factor, compute its codes.

Persona fixtures call `enroll_totp(user)` so that `client.force_login(user)` yields a fully
signed-in session (MandatoryMFAMiddleware lets nobody without a second factor past
enrollment). Codes come from allauth's own TOTP functions, never a home-made copy.
"""

from __future__ import annotations

import time
from datetime import datetime

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from budstikke.accounts.models import User


def enroll_totp(user: User) -> str:
    """Activate TOTP and recovery codes the way allauth does (so the secret is sealed by our
    MFA adapter); returns the base32 secret an authenticator app would hold."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return str(secret)


def totp_code(secret: str, at: datetime | None = None) -> str:
    """The code an authenticator app shows at `at`. The default is the wall clock, not
    `clock.now()`, because allauth checks codes against the wall clock."""
    if at is None:
        # A code typed in the last moments of its 30 s window is checked in the next one
        # (the tolerance is zero), so wait for a fresh window as a person would.
        left = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
        if left < 2:
            time.sleep(left + 0.05)
    moment = at.timestamp() if at is not None else time.time()
    return str(format_hotp_value(hotp_value(secret, int(moment) // mfa_settings.TOTP_PERIOD)))


def recovery_codes(user: User) -> list[str]:
    """The user's unused recovery codes."""
    return [str(code) for code in RecoveryCodes.activate(user).get_unused_codes()]
