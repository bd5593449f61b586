"""allauth's rate limits count by the trusted client address: a spoofed X-Forwarded-For
does not give an attacker a fresh allowance."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.test import Client
from django.urls import reverse

from .conftest import Enrolled

TOO_MANY = "Too many failed login attempts"


def _fail(client: Client, email: str, ip: str, forwarded: str) -> str:
    response = client.post(
        reverse("account_login"),
        {"login": email, "password": "wrong password, long enough"},
        REMOTE_ADDR=ip,
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    return response.content.decode()


def test_a_spoofed_forwarded_for_does_not_change_the_key(
    client: Client, enrolled: Enrolled, settings: Any
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    for n in range(3):
        page = _fail(client, f"user{n}@example.test", "198.51.100.7", f"10.0.0.{n}")
        assert TOO_MANY not in page
    page = _fail(client, "user9@example.test", "198.51.100.7", "192.0.2.200")
    assert TOO_MANY in page
    # Another real address has its own allowance.
    page = _fail(client, "user9@example.test", "198.51.100.8", "198.51.100.7")
    assert TOO_MANY not in page


def test_behind_a_trusted_proxy_the_forwarded_client_is_the_key(
    client: Client, enrolled: Enrolled, settings: Any
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "2/m/ip"}
    settings.TRUSTED_PROXY_CIDRS = [ipaddress.ip_network("10.9.0.0/16")]
    for _ in range(2):
        assert TOO_MANY not in _fail(client, "a@example.test", "10.9.0.1", "203.0.113.5")
    assert TOO_MANY in _fail(client, "a@example.test", "10.9.0.2", "203.0.113.5")
    assert TOO_MANY not in _fail(client, "a@example.test", "10.9.0.1", "203.0.113.6")


def test_failed_logins_are_still_limited_while_redis_is_unreachable(
    client: Client, enrolled: Enrolled, settings: Any, redis_unreachable: str
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    for n in range(3):
        page = _fail(client, f"user{n}@example.test", "198.51.100.7", "")
        assert "not correct" in page  # the sign-in form answers, not a 429
    assert TOO_MANY in _fail(client, "user9@example.test", "198.51.100.7", "")
