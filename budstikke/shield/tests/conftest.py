"""Shield test fixtures: an operator, a victim with a verified address and a second factor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from allauth.account.models import EmailAddress

from budstikke.accounts.models import User
from budstikke.accounts.testing import enroll_totp

PASSWORD = "a perfectly long test password 7"


@dataclass
class Person:
    user: User
    secret: str


def make_person(email: str, *, operator: bool = False) -> Person:
    user = User.objects.create_user(email, PASSWORD, full_name=email.split("@", maxsplit=1)[0])
    if operator:
        user.is_operator = True
        user.save(update_fields=["is_operator"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return Person(user=user, secret=enroll_totp(user))


@pytest.fixture
def operator(db: Any) -> Person:
    return make_person("olga@budstikke.test", operator=True)


@pytest.fixture
def victim(db: Any) -> Person:
    return make_person("vera@example.test")
