"""Sign up → forced TOTP enrollment → sign out → sign in with password and TOTP; a replayed
TOTP code is refused; a recovery code works once and never again."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from budstikke.accounts.testing import totp_code
from tests.browser.harness import Server, code_in, screenshot

pytestmark = pytest.mark.browser

EMAIL = "founder@hurtig.example"
PASSWORD = "a long and private passphrase 31"


def _fresh_window(seconds_needed: float = 8.0) -> None:
    """Wait for a new 30-second TOTP window if this one is about to end."""
    left = 30 - time.time() % 30
    if left < seconds_needed:
        time.sleep(left + 0.5)


def _password_step(page: Any) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/accounts/2fa/authenticate/")


def _second_factor(page: Any, code: str) -> None:
    page.fill("input[name=code]", code)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def _signed_in(page: Any) -> bool:
    page.goto("/accounts/email/")
    return "/accounts/email/" in page.url and EMAIL in page.content()


def _sign_out(page: Any) -> None:
    page.goto("/accounts/logout/")
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def test_signup_enrollment_and_two_factor_login(
    server: Server, new_page: Callable[[], Any]
) -> None:
    page = new_page()
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.fill("input[name=company_name]", "Hurtig Kurer ApS")
    page.select_option("select[name=country]", "DK")
    page.check("input[name=accept_dpa]")
    screenshot(page, "accounts-signup")
    page.click("form button[type=submit]")
    page.wait_for_url("**/accounts/confirm-email/")
    screenshot(page, "accounts-verify-email")
    page.fill("input[name=code]", code_in(server.mail_to(EMAIL)))
    page.click("form button[type=submit]")

    # Signed in with a password only: every page leads to enrollment.
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    page.goto("/accounts/email/")
    assert page.url.endswith("/accounts/2fa/totp/activate/")
    assert page.locator("img.totp-qr").is_visible()
    secret = page.inner_text("#authenticator_secret").strip()
    assert len(secret) == 32
    screenshot(page, "accounts-enroll-totp")
    enrollment_code = totp_code(secret)
    page.fill("input[name=code]", enrollment_code)
    page.click("form button[type=submit]")
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    codes = page.input_value("#recovery_codes").split()
    assert len(codes) == 10
    screenshot(page, "accounts-recovery-codes")
    assert _signed_in(page)
    _sign_out(page)
    assert not _signed_in(page)

    # Password and TOTP; the same code in another browser a moment later is refused.
    other = new_page()
    _password_step(page)
    screenshot(page, "accounts-second-factor")
    _password_step(other)
    _fresh_window()
    code = totp_code(secret)
    if code == enrollment_code:  # that one was spent by enrolling: wait for the next window
        _fresh_window(seconds_needed=30)
        code = totp_code(secret)
    _second_factor(page, code)
    assert _signed_in(page)
    _second_factor(other, code)
    assert "Incorrect code" in other.content()
    screenshot(other, "accounts-replayed-code-refused")
    assert not _signed_in(other)

    # A recovery code works once, and never again.
    _sign_out(page)
    _password_step(page)
    _second_factor(page, codes[0])
    assert _signed_in(page)
    _sign_out(page)
    _password_step(page)
    _second_factor(page, codes[0])
    assert "Incorrect code" in page.content()
    assert not _signed_in(page)
