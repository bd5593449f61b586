"""Test personas (STYLE.md): Alice, Bob and Carl work for tenant A; Charlie is the admin of
tenant B and must see nothing of A; Olga is a platform operator and must see no tenant data.

`outsider_test` registers which tenant URLs have a test proving an outsider gets nothing;
`tenants/tests/test_url_coverage.py` fails for any tenant URL without one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from budstikke.tenants.actions import ensure_membership
from budstikke.tenants.models import Role, Tenant

if TYPE_CHECKING:
    from django.test import Client

    from budstikke.accounts.models import User

PERSONA_PASSWORD = "correct horse battery staple 7"  # noqa: S105 - test fixture only

# Names of tenant URLs (namespace:name) that have an outsider test somewhere in the suite.
OUTSIDER_TESTED: set[str] = set()


def outsider_test[F: Callable[..., Any]](*url_names: str) -> Callable[[F], F]:
    """Mark a test as proving that outsiders get nothing from these URLs."""

    def decorator(test: F) -> F:
        OUTSIDER_TESTED.update(url_names)
        return test

    return decorator


def tenant_urls() -> list[tuple[str, Callable[..., Any]]]:
    """Every URL whose view is wrapped by `tenant_view`, as (namespace:name, view)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    from budstikke.tenants.access import is_tenant_view

    found: list[tuple[str, Callable[..., Any]]] = []

    def walk(patterns: list[Any], namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and is_tenant_view(entry.callback):
                found.append((f"{namespace}{entry.name}", entry.callback))

    walk(get_resolver().url_patterns, "")
    return found


@dataclass
class Personas:
    tenant_a: Tenant
    tenant_b: Tenant
    alice: User
    bob: User
    carl: User
    charlie: User
    olga: User


def _user(email: str, full_name: str, *, operator: bool = False) -> User:
    from budstikke.accounts.models import User

    existing = User.objects.filter(email=email).first()
    if existing is not None:
        return existing
    if operator:
        return User.objects.create_operator(email, PERSONA_PASSWORD, full_name=full_name)
    return User.objects.create_user(email, PERSONA_PASSWORD, full_name=full_name)


def make_personas() -> Personas:
    tenant_a, _ = Tenant.objects.get_or_create(slug="alfa-kurer", defaults={"name": "Alfa Kurer"})
    tenant_b, _ = Tenant.objects.get_or_create(slug="beta-bud", defaults={"name": "Beta Bud"})
    alice = _user("alice@alfa.example", "Alice Andersen")
    bob = _user("bob@alfa.example", "Bob Bertelsen")
    carl = _user("carl@alfa.example", "Carl Christensen")
    charlie = _user("charlie@beta.example", "Charlie Clausen")
    olga = _user("olga@budstikke.test", "Olga Olsen", operator=True)
    ensure_membership(tenant=tenant_a, user=alice, role=Role.ADMIN)
    ensure_membership(tenant=tenant_a, user=bob, role=Role.DISPATCHER)
    ensure_membership(tenant=tenant_a, user=carl, role=Role.COURIER)
    ensure_membership(tenant=tenant_b, user=charlie, role=Role.ADMIN)
    return Personas(tenant_a, tenant_b, alice, bob, carl, charlie, olga)


def log_in(client: Client, user: User) -> Client:
    """A fully signed-in session: a second factor is enrolled first, as for everyone."""
    from budstikke.accounts.selectors import has_second_factor
    from budstikke.accounts.testing import enroll_totp

    if not has_second_factor(user):
        enroll_totp(user)
    client.force_login(user)
    return client


def reauthenticate(client: Client, user: User) -> None:
    """As if the user had just confirmed their password (allauth's re-authentication)."""
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
