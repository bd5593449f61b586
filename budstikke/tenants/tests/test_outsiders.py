"""Charlie, admin of tenant B, asks for every object URL of tenant A: each answer is 404,
nothing changes, and each attempt is a CROSS_TENANT security event."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse

from budstikke.api.actions import create_api_key
from budstikke.api.models import ApiKey
from budstikke.billing.testing import OUTSIDER_SAMPLES as BILLING_SAMPLES
from budstikke.customers.testing import OUTSIDER_SAMPLES as CUSTOMER_SAMPLES
from budstikke.dispatch.testing import OUTSIDER_SAMPLES as DISPATCH_SAMPLES
from budstikke.shield.models import SecurityEvent
from budstikke.shipments.testing import OUTSIDER_SAMPLES as SHIPMENT_SAMPLES
from budstikke.tenants.actions import invite
from budstikke.tenants.models import Invitation, Membership, Role
from budstikke.tenants.testing import Personas, outsider_test, reauthenticate, tenant_urls
from budstikke.webhooks.testing import OUTSIDER_SAMPLES as WEBHOOK_SAMPLES

pytestmark = pytest.mark.django_db

OBJECT_URLS = sorted(name for name, view in tenant_urls() if view.tenant_objects)  # type: ignore[attr-defined]


def _a_membership(p: Personas) -> models.Model:
    membership: Membership = Membership.objects.get(tenant=p.tenant_a, user=p.bob)
    return membership


def _an_invitation(p: Personas) -> models.Model:
    return invite(tenant=p.tenant_a, email="dora@alfa.example", role=Role.ADMIN, invited_by=p.alice)


def _an_api_key(p: Personas) -> models.Model:
    return create_api_key(
        tenant=p.tenant_a, name="Shop", scopes=["shipments:read"], created_by=p.alice
    )[0]


# One object of tenant A per tenant-owned model a URL can name. A new object URL fails
# below until its model has an entry here.
SAMPLES: dict[type[models.Model], Callable[[Personas], models.Model]] = {
    Membership: _a_membership,
    Invitation: _an_invitation,
    ApiKey: _an_api_key,
    **CUSTOMER_SAMPLES,
    **SHIPMENT_SAMPLES,
    **DISPATCH_SAMPLES,
    **WEBHOOK_SAMPLES,
    **BILLING_SAMPLES,
}


def test_there_are_object_urls_to_check() -> None:
    assert {"tenants:member-role", "tenants:member-remove", "apikeys:revoke"} <= set(OBJECT_URLS)


@outsider_test(*OBJECT_URLS)
@pytest.mark.parametrize("url_name", OBJECT_URLS)
def test_charlie_gets_404_for_every_object_url_of_tenant_a(
    url_name: str, charlie_client: Client, personas: Personas
) -> None:
    view = dict(tenant_urls())[url_name]
    kwargs = {}
    for argument, model in view.tenant_objects.items():  # type: ignore[attr-defined]
        assert model in SAMPLES, f"add a sample {model.__name__} of tenant A to SAMPLES"
        kwargs[argument] = SAMPLES[model](personas).pk
    url = reverse(url_name, kwargs=kwargs)
    reauthenticate(charlie_client, personas.charlie)
    before = _state(personas)

    assert charlie_client.get(url).status_code == 404
    assert charlie_client.post(url, {"role": Role.COURIER}).status_code == 404

    assert _state(personas) == before
    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.CROSS_TENANT)
    assert events.count() == 2
    assert {event.user for event in events} == {personas.charlie}
    assert "alfa" not in str([event.detail for event in events])


def _state(personas: Personas) -> list[object]:
    return [
        sorted(Membership.objects.for_tenant(personas.tenant_a).values_list("user_id", "role")),
        sorted(Invitation.objects.for_tenant(personas.tenant_a).values_list("pk", "revoked_at")),
        sorted(ApiKey.objects.for_tenant(personas.tenant_a).values_list("pk", "revoked_at")),
    ]


def test_an_id_that_exists_nowhere_is_a_plain_404(
    charlie_client: Client, personas: Personas
) -> None:
    reauthenticate(charlie_client, personas.charlie)
    response = charlie_client.get(reverse("tenants:member-role", args=[987654]))
    assert response.status_code == 404
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.CROSS_TENANT).exists()
