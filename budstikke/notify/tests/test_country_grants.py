"""A tenant asks for another country in the UI; the operator approves or declines with a
reason. A tenant granted +43 can text Austria; another tenant still cannot."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from budstikke.core import clock
from budstikke.notify import actions, outbox, policy
from budstikke.notify.gateways import ConsoleGateway
from budstikke.notify.models import CountryCodeRequest, SmsMessage
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db
AUSTRIAN = "+436641234567"


def _ask(client: Client, code: str = "+43", message: str = "Kunder i Wien") -> str:
    response = client.post(reverse("notify:countries"), {"code": code, "message": message})
    if response.status_code == 302:
        response = client.get(reverse("notify:countries"))
    return response.content.decode()


def test_an_approved_request_lets_that_tenant_alone_text_austria(
    alice_client: Client, olga_client: Client, personas: Personas
) -> None:
    assert not policy.check(AUSTRIAN, personas.tenant_a).allowed
    page = _ask(alice_client)
    assert "Pending" in page

    ops_page = olga_client.get(reverse("notify:ops")).content.decode()
    assert "Alfa Kurer" in ops_page
    assert "Kunder i Wien" in ops_page
    request = CountryCodeRequest.objects.for_tenant(personas.tenant_a).get()
    response = olga_client.post(
        reverse("notify:ops-decide"),
        {"request_id": request.pk, "decision": "approve", "reason": "Approved for Vienna"},
    )
    assert response.status_code == 302

    page = alice_client.get(reverse("notify:countries")).content.decode()
    assert "Approved" in page
    assert "Approved for Vienna" in page
    assert policy.check(AUSTRIAN, personas.tenant_a).allowed
    clock.freeze(datetime(2026, 3, 10, 10, 0, tzinfo=UTC))
    message = actions.queue_sms(tenant=personas.tenant_a, phone=AUSTRIAN, body="Hallo")
    assert outbox.deliver(message.pk, ConsoleGateway()) == SmsMessage.Status.SENT

    other = actions.queue_sms(tenant=personas.tenant_b, phone=AUSTRIAN, body="Hallo")
    assert other.status == SmsMessage.Status.REFUSED
    assert other.reason == "country code +43 is not enabled"


def test_a_declined_request_shows_its_reason_and_grants_nothing(
    alice_client: Client, olga_client: Client, personas: Personas
) -> None:
    _ask(alice_client, "+1")
    request = CountryCodeRequest.objects.for_tenant(personas.tenant_a).get()
    olga_client.post(
        reverse("notify:ops-decide"),
        {"request_id": request.pk, "decision": "decline", "reason": "Too costly for now"},
    )
    page = alice_client.get(reverse("notify:countries")).content.decode()
    assert "Declined" in page
    assert "Too costly for now" in page
    assert not policy.check("+12015550123", personas.tenant_a).allowed


def test_a_decision_needs_a_reason(
    olga_client: Client, alice_client: Client, personas: Personas
) -> None:
    _ask(alice_client)
    request = CountryCodeRequest.objects.for_tenant(personas.tenant_a).get()
    olga_client.post(
        reverse("notify:ops-decide"), {"request_id": request.pk, "decision": "approve"}
    )
    request.refresh_from_db()
    assert request.status == CountryCodeRequest.Status.PENDING


def test_asking_for_a_code_already_allowed_or_not_a_code_is_explained(
    alice_client: Client,
) -> None:
    assert "You can already text +45." in _ask(alice_client, "+45")
    assert "Enter a country calling code such as +43." in _ask(alice_client, "+999")
    assert not CountryCodeRequest.objects.dangerously_unscoped().exists()


def test_the_operator_edits_the_platform_list(olga_client: Client, personas: Personas) -> None:
    olga_client.post(reverse("notify:ops-codes"), {"code": "+43"})
    assert policy.check(AUSTRIAN, personas.tenant_b).allowed
    olga_client.post(reverse("notify:ops-codes"), {"remove": "43"})
    olga_client.post(reverse("notify:ops-codes"), {"remove": "45"})
    assert not policy.check(AUSTRIAN).allowed
    assert policy.check("+4520123456").reason == "country code +45 is not enabled"


def test_the_operator_revokes_a_grant(olga_client: Client, personas: Personas) -> None:
    grant = actions.grant_code(tenant=personas.tenant_a, code=43, operator=personas.olga)
    olga_client.post(reverse("notify:ops-codes"), {"revoke": str(grant.pk)})
    assert not policy.check(AUSTRIAN, personas.tenant_a).allowed


@pytest.mark.parametrize("who", ["alice_client", "charlie_client"])
def test_tenants_cannot_use_the_operator_actions(
    who: str, request: pytest.FixtureRequest, personas: Personas
) -> None:
    visitor: Client = request.getfixturevalue(who)
    assert visitor.get(reverse("notify:ops")).status_code == 404
    assert visitor.post(reverse("notify:ops-codes"), {"code": "+43"}).status_code == 404
    assert not policy.check(AUSTRIAN, personas.tenant_a).allowed
