"""The code typed to finish enrollment cannot be replayed at login within its 30 seconds."""

from __future__ import annotations

import re
from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from budstikke.accounts.models import User
from budstikke.accounts.testing import totp_code

from .conftest import PASSWORD


def _enroll(client: Client, user: User) -> str:
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    secret = re.search(r"\b([A-Z2-7]{32})\b", page)
    assert secret is not None, "the enrollment page shows the secret"
    code = totp_code(secret.group(1))
    client.post(reverse("mfa_activate_totp"), {"code": code})
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return code


def test_the_enrollment_code_does_not_log_in_again(
    user: User, new_client: Callable[[], Client]
) -> None:
    enrolling, attacker = new_client(), new_client()
    code = _enroll(enrolling, user)

    attacker.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    replay = attacker.post(reverse("mfa_authenticate"), {"code": code})
    assert replay.status_code == 200
    assert "Incorrect code" in replay.content.decode()
    assert attacker.get("/accounts/email/").status_code != 200
