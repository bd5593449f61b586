""" "Log out everywhere" ends every session of the user at its next request."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from budstikke.accounts.actions import end_all_sessions
from budstikke.accounts.models import User
from budstikke.accounts.testing import enroll_totp

from .conftest import PASSWORD, Enrolled


def _signed_in(client: Client) -> bool:
    return client.get("/accounts/email/").status_code == 200


def test_end_all_sessions_signs_out_every_device(
    enrolled: Enrolled, new_client: Callable[[], Client]
) -> None:
    laptop, phone = new_client(), new_client()
    laptop.force_login(enrolled.user)
    phone.force_login(enrolled.user)
    assert _signed_in(laptop)
    assert _signed_in(phone)
    end_all_sessions(enrolled.user)
    response = phone.get("/accounts/email/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not _signed_in(laptop)
    assert not _signed_in(phone)


def test_other_users_keep_their_sessions(
    enrolled: Enrolled, new_client: Callable[[], Client]
) -> None:
    other = User.objects.create_user("erik@example.test", PASSWORD)
    enroll_totp(other)
    mine, theirs = new_client(), new_client()
    mine.force_login(enrolled.user)
    theirs.force_login(other)
    end_all_sessions(enrolled.user)
    assert not _signed_in(mine)
    assert _signed_in(theirs)


def test_a_new_login_after_ending_works(
    enrolled: Enrolled, new_client: Callable[[], Client]
) -> None:
    end_all_sessions(enrolled.user)
    client = new_client()
    client.force_login(enrolled.user)
    assert _signed_in(client)


def test_the_sessions_page_signs_out_everywhere(
    enrolled: Enrolled, new_client: Callable[[], Client]
) -> None:
    laptop, phone = new_client(), new_client()
    laptop.force_login(enrolled.user)
    phone.force_login(enrolled.user)
    response = laptop.post(reverse("account_sessions"))
    assert response["Location"] == reverse("account_login")
    assert not _signed_in(laptop)
    assert not _signed_in(phone)
