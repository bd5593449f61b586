"""The tenant admin invites a dispatcher; the dispatcher accepts, creates an account, is
made to enroll TOTP, and then sees the tenant."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from budstikke.accounts.testing import totp_code
from tests.browser.harness import Server, screenshot, text_of

pytestmark = pytest.mark.browser

PASSWORD = "demo passphrase for browsers 9"
ADMIN = "admin@demo.budstikke.test"
INVITEE = "new.dispatcher@demo.budstikke.test"


def _enroll_totp(page: Any) -> None:
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    secret = page.inner_text("#authenticator_secret").strip()
    page.fill("input[name=code]", totp_code(secret))
    page.click("form button[type=submit]")
    page.wait_for_url("**/accounts/2fa/recovery-codes/")


def test_admin_invites_a_dispatcher_who_enrolls_and_sees_the_tenant(
    server: Server, new_page: Callable[[], Any]
) -> None:
    server.manage("demo", "--password", PASSWORD)

    admin = new_page()
    admin.goto("/accounts/login/")
    admin.fill("input[name=login]", ADMIN)
    admin.fill("input[name=password]", PASSWORD)
    admin.click("form button[type=submit]")
    _enroll_totp(admin)

    admin.goto("/tenant/members/invite/")
    admin.fill("input[name=email]", INVITEE)
    admin.select_option("select[name=role]", "dispatcher")
    screenshot(admin, "tenants-invite")
    admin.click("main form button[type=submit]")
    admin.wait_for_url("**/tenant/members/")
    assert INVITEE in admin.content()
    screenshot(admin, "tenants-members")

    link = re.search(r"https://\S+/invitations/\S+/", text_of(server.mail_to(INVITEE)))
    assert link is not None
    dispatcher = new_page()
    dispatcher.goto(link[0])
    assert "Demo Kurer ApS" in dispatcher.content()
    screenshot(dispatcher, "tenants-invitation-accept")
    dispatcher.fill("input[name=full_name]", "Nina Ny")
    dispatcher.fill("input[name=password1]", "a brand new passphrase 55")
    dispatcher.fill("input[name=password2]", "a brand new passphrase 55")
    dispatcher.click("main form button[type=submit]")

    # Signed in with a password only: the tenant stays closed until TOTP is enrolled.
    _enroll_totp(dispatcher)
    dispatcher.goto("/tenant/")
    assert dispatcher.url.endswith("/tenant/")
    assert "Demo Kurer ApS" in dispatcher.content()
    assert "Dispatcher" in dispatcher.content()
    screenshot(dispatcher, "tenants-home-dispatcher")

    # The link works once.
    again = new_page()
    again.goto(link[0])
    assert "cannot be used" in again.content()
