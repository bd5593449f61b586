"""The tenant's SMS pages: the admin manages, a dispatcher sees the outbox and opt-outs,
a courier gets nothing, and an outsider (Charlie) never sees tenant A's data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from budstikke.core import clock
from budstikke.notify import actions, outbox
from budstikke.notify.gateways import ConsoleGateway
from budstikke.notify.models import NotificationSettings, OptOut, SmsTemplate
from budstikke.tenants.testing import Personas, outsider_test

pytestmark = pytest.mark.django_db

ADMIN_URLS: list[tuple[str, dict[str, str]]] = [
    ("notify:settings", {}),
    ("notify:templates", {}),
    ("notify:template-edit", {}),
    ("notify:countries", {}),
]
OFFICE_URLS: list[tuple[str, dict[str, str]]] = [("notify:messages", {}), ("notify:opt-outs", {})]


def test_the_admin_chooses_events_and_cost_guards(alice_client: Client, personas: Personas) -> None:
    response = alice_client.post(
        reverse("notify:settings"),
        {
            "events": ["delivered", "failed_attempt"],
            "sender": "AlfaKurer",
            "monthly_cap": "500",
            "rate_per_minute": "10",
            "quiet_start": "22:00",
            "quiet_end": "07:00",
        },
    )
    assert response.status_code == 302
    saved = NotificationSettings.objects.for_tenant(personas.tenant_a).get()
    assert saved.events == ["delivered", "failed_attempt"]
    assert (saved.sender, saved.monthly_cap, saved.rate_per_minute) == ("AlfaKurer", 500, 10)


def test_a_tenant_cannot_raise_the_cap_above_the_platforms(alice_client: Client) -> None:
    response = alice_client.post(
        reverse("notify:settings"),
        {
            "monthly_cap": "999999",
            "rate_per_minute": "10",
            "quiet_start": "21:00",
            "quiet_end": "08:00",
        },
    )
    assert response.status_code == 200
    assert b"less than or equal to 2000" in response.content


def test_the_preview_shows_segments_and_estimated_cost(alice_client: Client) -> None:
    url = reverse("notify:template-edit") + "?event=out_for_delivery&language=en"
    page = alice_client.post(
        url, {"body": "{company}: " + "x" * 200, "action": "preview"}
    ).content.decode()
    assert "Alfa Kurer: xxx" in page
    assert "2 segments (GSM-7, 212 characters)" in page
    assert "Estimated cost: 0.70 DKK per message." in page
    page = alice_client.post(
        url, {"body": "Hej 🙂 {company}", "action": "preview"}
    ).content.decode()
    assert "1 segment (UCS-2, 17 characters)" in page


def test_an_unknown_placeholder_is_explained_and_not_saved(
    alice_client: Client, personas: Personas
) -> None:
    url = reverse("notify:template-edit") + "?event=delivered&language=da"
    page = alice_client.post(url, {"body": "Hej {name}", "action": "save"}).content.decode()
    assert "Unknown placeholder: {name}." in page
    assert not SmsTemplate.objects.for_tenant(personas.tenant_a).exists()


def test_the_admin_saves_and_resets_a_text(alice_client: Client, personas: Personas) -> None:
    url = reverse("notify:template-edit") + "?event=delivered&language=da"
    alice_client.post(url, {"body": "{company}: Leveret!", "action": "save"})
    listing = alice_client.get(reverse("notify:templates")).content.decode()
    assert "{company}: Leveret!" in listing
    alice_client.post(url, {"action": "reset"})
    assert not SmsTemplate.objects.for_tenant(personas.tenant_a).exists()


def test_an_unknown_event_or_language_is_404(alice_client: Client) -> None:
    url = reverse("notify:template-edit") + "?event=exploded&language=da"
    assert alice_client.get(url).status_code == 404
    url = reverse("notify:template-edit") + "?event=delivered&language=de"
    assert alice_client.get(url).status_code == 404


def test_console_messages_are_visible_in_the_outbox(bob_client: Client, personas: Personas) -> None:
    clock.freeze(datetime(2026, 3, 10, 10, 0, tzinfo=UTC))
    message = actions.queue_sms(tenant=personas.tenant_a, phone="+4520123456", body="Hej Dorte")
    outbox.deliver(message.pk, ConsoleGateway())
    refused = actions.queue_sms(tenant=personas.tenant_a, phone="+12015550123", body="Hi")
    page = bob_client.get(reverse("notify:messages")).content.decode()
    assert "Hej Dorte" in page
    assert "+4520123456" in page
    assert "Sent" in page
    assert refused.reason in page


def test_a_dispatcher_records_and_removes_an_opt_out(
    bob_client: Client, personas: Personas
) -> None:
    bob_client.post(reverse("notify:opt-outs"), {"phone": "20 12 34 56"})
    row = OptOut.objects.for_tenant(personas.tenant_a).get()
    assert row.phone == "+4520123456"
    assert "+4520123456" in bob_client.get(reverse("notify:opt-outs")).content.decode()
    bob_client.post(reverse("notify:opt-outs"), {"remove": str(row.pk)})
    assert not OptOut.objects.for_tenant(personas.tenant_a).exists()


def test_an_unreadable_opt_out_number_is_explained(bob_client: Client) -> None:
    page = bob_client.post(reverse("notify:opt-outs"), {"phone": "soon"}).content.decode()
    assert "this is not a phone number" in page


@pytest.mark.parametrize(("name", "kwargs"), ADMIN_URLS)
def test_a_dispatcher_cannot_manage_sms_settings(
    name: str, kwargs: dict[str, str], bob_client: Client
) -> None:
    assert bob_client.get(reverse(name, kwargs=kwargs)).status_code == 403


@pytest.mark.parametrize(("name", "kwargs"), ADMIN_URLS + OFFICE_URLS)
def test_a_courier_gets_no_sms_page(name: str, kwargs: dict[str, str], carl_client: Client) -> None:
    assert carl_client.get(reverse(name, kwargs=kwargs)).status_code == 403


@outsider_test(*(name for name, _kwargs in ADMIN_URLS + OFFICE_URLS))
def test_an_outsider_sees_only_their_own_sms_data(
    alice_client: Client, charlie_client: Client, personas: Personas
) -> None:
    clock.freeze(datetime(2026, 3, 10, 10, 0, tzinfo=UTC))
    message = actions.queue_sms(tenant=personas.tenant_a, phone="+4520123456", body="Hej Dorte")
    outbox.deliver(message.pk, ConsoleGateway())
    actions.opt_out(tenant=personas.tenant_a, phone="+4530111111")
    actions.save_template(
        tenant=personas.tenant_a,
        event="out_for_delivery",
        language="da",
        body="Alfa-tekst {company}",
    )
    alice_client.post(reverse("notify:countries"), {"code": "+43", "message": "Alfa i Wien"})
    secrets = ["Hej Dorte", "+4520123456", "+4530111111", "Alfa-tekst", "Alfa i Wien"]

    for name, kwargs in ADMIN_URLS + OFFICE_URLS:
        page = charlie_client.get(reverse(name, kwargs=kwargs))
        assert page.status_code == 200
        assert [s for s in secrets if s in page.content.decode()] == []

    # Charlie's writes land in his own tenant.
    charlie_client.post(reverse("notify:opt-outs"), {"phone": "+4530111111"})
    other = OptOut.objects.for_tenant(personas.tenant_b).get()
    response = charlie_client.post(
        reverse("notify:opt-outs"),
        {"remove": str(OptOut.objects.for_tenant(personas.tenant_a).get().pk)},
    )
    assert response.status_code == 404
    assert OptOut.objects.for_tenant(personas.tenant_a).count() == 1
    assert other.tenant_id == personas.tenant_b.pk


def test_anonymous_visitors_are_sent_to_login(client: Client) -> None:
    response = client.get(reverse("notify:settings"))
    assert reverse("account_login") in response["Location"]
