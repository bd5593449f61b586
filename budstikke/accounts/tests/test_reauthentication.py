"""Changing the email address or the password needs re-authentication; a new address counts
only after the code sent to it."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from budstikke.accounts.models import User
from budstikke.accounts.testing import totp_code

from .conftest import Enrolled

NEW = "dana.new@example.test"


def _code(body: str) -> str:
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.MULTILINE)
    assert match is not None, body
    return match[1]


def test_email_change_asks_for_reauthentication_first(client: Client, enrolled: Enrolled) -> None:
    client.force_login(enrolled.user)
    response = client.post(reverse("account_email"), {"email": NEW, "action_add": ""})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not enrolled.user.emailaddress_set.filter(email=NEW).exists()  # type: ignore[attr-defined]


def test_the_new_address_counts_only_after_its_code(client: Client, enrolled: Enrolled) -> None:
    client.force_login(enrolled.user)
    client.post(reverse("mfa_reauthenticate"), {"code": totp_code(enrolled.secret)})
    response = client.post(reverse("account_email"), {"email": NEW, "action_add": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(pk=enrolled.user.pk).email == "dana@example.test"
    [message] = [m for m in mail.outbox if NEW in m.to]
    page = client.post(response["Location"], {"code": _code(str(message.body))})
    assert page.status_code == 302
    assert User.objects.get(pk=enrolled.user.pk).email == NEW


def test_password_change_asks_for_reauthentication_first(
    client: Client, enrolled: Enrolled
) -> None:
    client.force_login(enrolled.user)
    response = client.get(reverse("account_change_password"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("mfa_reauthenticate"), {"code": totp_code(enrolled.secret)})
    assert client.get(reverse("account_change_password")).status_code == 200
