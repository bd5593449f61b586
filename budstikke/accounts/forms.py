"""allauth forms with Budstikke's stricter rules."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal.auth import TOTP


class ActivateTOTPOnceForm(ActivateTOTPForm):  # type: ignore[misc]
    """The code that proves enrollment is spent: it cannot log anyone in afterwards.

    allauth checks the activation code without marking it used, so within its 30 seconds
    the same code would also pass the login's second step. Marking it with allauth's own
    used-code record closes that gap (ASVS 6.5.1: one-time codes are usable once).
    """

    def clean_code(self) -> str:
        code: str = super().clean_code()
        TOTP(Authenticator(user=self.user, type=Authenticator.Type.TOTP))._mark_code_used(code)
        return code
