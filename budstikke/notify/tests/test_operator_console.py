"""The operator's SMS page: billing counts per tenant, month and country — no numbers, no
texts — and invisible to everyone else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from budstikke.core import clock
from budstikke.notify import actions, outbox
from budstikke.notify.gateways import ConsoleGateway
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


def _send(tenant: object, phone: str, body: str = "Hej Dorte") -> None:
    message = actions.queue_sms(tenant=tenant, phone=phone, body=body)  # type: ignore[arg-type]
    outbox.deliver(message.pk, ConsoleGateway())


def test_the_operator_sees_counts_per_tenant_month_and_country(
    olga_client: Client, personas: Personas
) -> None:
    clock.freeze(datetime(2026, 3, 10, 10, 0, tzinfo=UTC))
    _send(personas.tenant_a, "+4520123456")
    _send(personas.tenant_a, "+4520123457", "x" * 200)
    _send(personas.tenant_a, "+46701234567")
    _send(personas.tenant_b, "+4520123456")
    actions.queue_sms(tenant=personas.tenant_a, phone="+12015550123", body="refused: not billed")

    page = olga_client.get(reverse("notify:ops")).content.decode()

    rows = [" ".join(line.split()) for line in page.split("<tr>")]
    assert any(
        "2026-03</td><td>Alfa Kurer</td><td>+45</td><td>DK</td><td>2</td><td>3" in r for r in rows
    )
    assert any("Alfa Kurer</td><td>+46</td><td>SE</td><td>1</td><td>1" in r for r in rows)
    assert any("Beta Bud</td><td>+45</td><td>DK</td><td>1</td><td>1" in r for r in rows)
    assert "+1</td>" not in page
    for personal in ("Hej Dorte", "+4520123456", "20123456", "701234567"):
        assert personal not in page


@pytest.mark.parametrize("who", ["alice_client", "charlie_client", "client"])
def test_the_sms_console_is_invisible_to_everyone_else(
    who: str, request: pytest.FixtureRequest, personas: Personas
) -> None:
    visitor: Client = request.getfixturevalue(who)
    response = visitor.get(reverse("notify:ops"))
    if who == "client":
        assert reverse("account_login") in response["Location"]
    else:
        assert response.status_code == 404
