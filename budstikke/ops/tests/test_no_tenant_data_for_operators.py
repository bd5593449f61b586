"""Olga, a platform operator, requests every URL of the installation: tenant pages answer
404, and no answer contains any personal data of tenant A."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from budstikke.api.actions import create_api_key
from budstikke.tenants.actions import invite
from budstikke.tenants.models import Membership, Role
from budstikke.tenants.testing import Personas, tenant_urls

pytestmark = pytest.mark.django_db


def _routes(patterns: list[Any], prefix: str = "") -> list[str]:
    found: list[str] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append(prefix + str(entry.pattern))
    return found


def _concrete(route: str, object_id: int) -> str:
    """Fill a route's parameters: ids of tenant A's objects, words elsewhere."""
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"<int:[^>]+>", str(object_id), route)
    route = re.sub(r"<(?:str|slug|path|uuid)?:?[^>]+>", "x", route)
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "x", route)
    return "/" + route


def test_an_operator_gets_no_tenant_personal_data_from_any_url(
    olga_client: Client, personas: Personas
) -> None:
    invitation = invite(
        tenant=personas.tenant_a,
        email="dora.secret@alfa.example",
        role=Role.DISPATCHER,
        invited_by=personas.alice,
    )
    api_key, _secret = create_api_key(
        tenant=personas.tenant_a, name="Alfa webshop", scopes=["shipments:read"], created_by=None
    )
    bob_membership = Membership.objects.get(user=personas.bob)
    personal = [
        "alice@alfa.example",
        "bob@alfa.example",
        "carl@alfa.example",
        "Alice Andersen",
        "Bob Bertelsen",
        "Carl Christensen",
        "dora.secret@alfa.example",
        "Alfa webshop",
    ]
    tenant_routes = {name for name, _view in tenant_urls()}
    assert tenant_routes
    checked = 0
    for route in _routes(get_resolver().url_patterns):
        for object_id in {bob_membership.pk, invitation.pk, api_key.pk}:
            url = _concrete(route, object_id)
            response = olga_client.get(url)
            body = b"".join(response) if response.streaming else response.content
            text = body.decode(errors="replace")
            leaked = [value for value in personal if value in text]
            assert leaked == [], f"{url} showed an operator {leaked}"
            checked += 1
    assert checked > 20


@pytest.mark.parametrize("url_name", sorted(name for name, _view in tenant_urls()))
def test_every_tenant_page_is_404_for_an_operator(
    url_name: str, olga_client: Client, personas: Personas
) -> None:
    from django.urls import reverse

    from budstikke.tenants.tests.test_outsiders import SAMPLES

    view = dict(tenant_urls())[url_name]
    kwargs = {
        argument: SAMPLES[model](personas).pk
        for argument, model in view.tenant_objects.items()  # type: ignore[attr-defined]
    }
    url = reverse(url_name, kwargs=kwargs)
    assert olga_client.get(url).status_code == 404
    assert olga_client.post(url, {"role": Role.ADMIN}).status_code == 404
