"""Charlie gets 404 for tenant A's web hook endpoints and their delivery logs."""

from __future__ import annotations

import pytest
from django.test import Client

from budstikke.tenants.testing import Personas, outsider_test
from budstikke.webhooks import actions
from budstikke.webhooks.models import Endpoint, EventType

pytestmark = pytest.mark.django_db


@outsider_test(
    "webhooks:list",
    "webhooks:new",
    "webhooks:detail",
    "webhooks:toggle",
    "webhooks:rotate",
    "webhooks:delete",
)
def test_charlie_gets_404_for_tenant_a_webhooks(
    charlie_client: Client, alice_client: Client, personas: Personas
) -> None:
    endpoint, secret = actions.create_endpoint(
        personas.tenant_a,
        url="https://alfa-shop.example.com/hooks",
        events=[EventType.CREATED],
        description="Alfa webshop",
        by=personas.alice,
    )
    for url in (
        f"/tenant/webhooks/{endpoint.pk}/",
        f"/tenant/webhooks/{endpoint.pk}/delete/",
    ):
        assert charlie_client.get(url).status_code == 404, url
    for url in (
        f"/tenant/webhooks/{endpoint.pk}/toggle/",
        f"/tenant/webhooks/{endpoint.pk}/rotate/",
        f"/tenant/webhooks/{endpoint.pk}/delete/",
    ):
        assert charlie_client.post(url).status_code == 404, url
    own = charlie_client.get("/tenant/webhooks/").content.decode()
    assert "Alfa webshop" not in own
    assert "alfa-shop" not in own
    assert charlie_client.get("/tenant/webhooks/new/").status_code == 200  # his own tenant's

    endpoint.refresh_from_db()
    assert endpoint.enabled
    assert endpoint.secret == secret
    assert Endpoint.objects.for_tenant(personas.tenant_a).count() == 1
    # Alice's own pages work, and the secret is not on them.
    detail = alice_client.get(f"/tenant/webhooks/{endpoint.pk}/").content.decode()
    assert "Alfa webshop" in detail
    assert secret not in detail


def test_admin_creates_an_endpoint_and_sees_the_secret_once(
    alice_client: Client, personas: Personas
) -> None:
    answer = alice_client.post(
        "/tenant/webhooks/new/",
        {"url": "https://shop.example.com/h", "events": ["shipment.created"], "description": "S"},
    )
    assert answer.status_code == 200
    endpoint = Endpoint.objects.for_tenant(personas.tenant_a).get()
    assert endpoint.secret in answer.content.decode()
    assert endpoint.secret not in alice_client.get("/tenant/webhooks/").content.decode()
    refused = alice_client.post(
        "/tenant/webhooks/new/", {"url": "https://127.0.0.1/h", "events": ["shipment.created"]}
    )
    assert "private or local" in refused.content.decode()


def test_a_dispatcher_has_no_webhook_pages(bob_client: Client) -> None:
    assert bob_client.get("/tenant/webhooks/").status_code == 403
