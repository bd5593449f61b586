"""Accounts test fixtures: a user with a password, the same user enrolled, a fresh client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from budstikke.accounts.models import User
from budstikke.accounts.testing import enroll_totp

PASSWORD = "plain-but-long enough 42"


@dataclass
class Enrolled:
    user: User
    secret: str


@pytest.fixture
def user(db: Any) -> User:
    return User.objects.create_user("dana@example.test", PASSWORD, full_name="Dana")


@pytest.fixture
def enrolled(user: User) -> Enrolled:
    return Enrolled(user=user, secret=enroll_totp(user))


@pytest.fixture
def outbox_mail(settings: Any) -> None:
    """The product's mail setup: the outbox as default, delivery to Django's test outbox."""
    settings.MAILERS = {
        "default": {"BACKEND": "budstikke.accounts.mail.OutboxBackend"},
        "delivery": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }


@pytest.fixture
def new_client(client: Client) -> Callable[[], Client]:
    """Another browser: a fresh HTTPS test client with its own cookies."""
    return type(client)
