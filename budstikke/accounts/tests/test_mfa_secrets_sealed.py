"""The MFA secrets in a database dump are not the secrets shown at enrollment."""

from __future__ import annotations

import io
import re

from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from budstikke.accounts.models import User
from budstikke.accounts.testing import recovery_codes, totp_code

from .conftest import PASSWORD


def test_a_database_dump_holds_no_mfa_secret(client: Client, user: User) -> None:
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    html = client.get("/accounts/2fa/totp/activate/").content.decode()
    match = re.search(r'id="authenticator_secret"[^>]*>([A-Z2-7]{32})<', html)
    assert match is not None
    secret = match[1]
    assert (
        client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)}).status_code == 302
    )
    codes = recovery_codes(user)

    dump = io.StringIO()
    call_command("dumpdata", "mfa", stdout=dump)
    text = dump.getvalue()
    assert '"type": "totp"' in text
    assert '"type": "recovery_codes"' in text
    assert secret not in text
    assert secret.lower() not in text
    assert not any(code in text for code in codes)
    seed = Authenticator.objects.get(user=user, type="recovery_codes").data["seed"]
    assert seed.startswith("vault1.")
    assert re.search(r"[0-9a-f]{80}", text) is None  # the hex seed in the clear
