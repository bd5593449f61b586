"""Delivery reports: a signed report moves the message on; a forged one changes nothing and
is a security event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from budstikke.core import clock
from budstikke.notify import actions, callbacks, gateways, outbox
from budstikke.notify.gateways import GatewayApiGateway, TwilioGateway
from budstikke.notify.models import SmsMessage
from budstikke.notify.testing import (
    GATEWAYAPI_SECRET,
    GATEWAYAPI_TOKEN,
    TWILIO_FROM,
    TWILIO_SID,
    TWILIO_TOKEN,
    FakeGatewayApi,
    FakeTwilio,
)
from budstikke.shield.models import SecurityEvent
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db
Status = SmsMessage.Status


@pytest.fixture(autouse=True)
def _gateway_settings(settings: pytest.FixtureRequest) -> None:
    settings.SMS_GATEWAYAPI_WEBHOOK_SECRET = GATEWAYAPI_SECRET  # type: ignore[attr-defined]
    settings.SMS_TWILIO_AUTH_TOKEN = TWILIO_TOKEN  # type: ignore[attr-defined]
    settings.PUBLIC_URL = "https://budstikke.example"  # type: ignore[attr-defined]
    clock.freeze(datetime(2026, 3, 10, 10, 0, tzinfo=UTC))  # daytime, no quiet hours


@pytest.fixture
def sent_via_gatewayapi(personas: Personas) -> SmsMessage:
    fake = FakeGatewayApi()
    message = actions.queue_sms(tenant=personas.tenant_a, phone="+4520123456", body="Hej")
    with gateways.use_transport(fake.transport()):
        outbox.deliver(message.pk, GatewayApiGateway("https://gatewayapi.eu", GATEWAYAPI_TOKEN))
    return message


def _status(message: SmsMessage) -> str:
    return str(SmsMessage.objects.for_tenant(message.tenant).get(pk=message.pk).status)


def _post_gatewayapi(client: Client, report: dict[str, str]) -> int:
    response = client.post(
        reverse("notify:callback-gatewayapi"),
        report["body"],
        content_type="application/json",
        headers={"X-Gwapi-Signature": report["signature"]},
    )
    return response.status_code


def test_a_signed_gatewayapi_report_marks_the_message_delivered(
    client: Client, sent_via_gatewayapi: SmsMessage
) -> None:
    report = FakeGatewayApi.report(str(sent_via_gatewayapi.reference), "DELIVERED")
    assert _post_gatewayapi(client, report) == 204
    assert _status(sent_via_gatewayapi) == Status.DELIVERED


def test_an_undeliverable_report_marks_it_failed(
    client: Client, sent_via_gatewayapi: SmsMessage
) -> None:
    report = FakeGatewayApi.report(str(sent_via_gatewayapi.reference), "UNDELIVERABLE")
    assert _post_gatewayapi(client, report) == 204
    assert _status(sent_via_gatewayapi) == Status.FAILED


def test_a_report_signed_with_another_secret_is_refused(
    client: Client, sent_via_gatewayapi: SmsMessage
) -> None:
    import jwt

    claims = {"id": 1, "status": "UNDELIVERABLE", "userref": str(sent_via_gatewayapi.reference)}
    forged = jwt.encode(claims, "not-the-secret-but-long-enough-32bytes", algorithm="HS256")
    assert _post_gatewayapi(client, {"body": "{}", "signature": forged}) == 403
    assert _post_gatewayapi(client, {"body": "{}", "signature": ""}) == 403
    unsigned = jwt.encode(claims, "", algorithm="none")
    assert _post_gatewayapi(client, {"body": "{}", "signature": unsigned}) == 403
    assert _status(sent_via_gatewayapi) == Status.SENT
    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.API_KEY_FAILED)
    assert events.count() == 3
    assert events.first().detail == {"channel": "sms_report:gatewayapi"}  # type: ignore[union-attr]


def test_a_late_sent_report_never_undoes_delivered(
    client: Client, sent_via_gatewayapi: SmsMessage
) -> None:
    reference = str(sent_via_gatewayapi.reference)
    _post_gatewayapi(client, FakeGatewayApi.report(reference, "DELIVERED"))
    _post_gatewayapi(client, FakeGatewayApi.report(reference, "ENROUTE"))
    assert _status(sent_via_gatewayapi) == Status.DELIVERED


def test_twilios_published_signature_example_verifies() -> None:
    params = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ]
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert callbacks.twilio_signature(url, params, "12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_a_signed_twilio_callback_marks_the_message_delivered(
    client: Client, personas: Personas
) -> None:
    fake = FakeTwilio()
    message = actions.queue_sms(tenant=personas.tenant_a, phone="+4520123456", body="Hej")
    gateway = TwilioGateway("https://api.twilio.com", TWILIO_SID, TWILIO_TOKEN, TWILIO_FROM)
    with gateways.use_transport(fake.transport()):
        outbox.deliver(message.pk, gateway)
    callback_url = fake.received[0].form()["StatusCallback"]
    assert callback_url.startswith("https://budstikke.example/sms/reports/twilio/?ref=")

    params, signature = FakeTwilio.report(callback_url, "delivered")
    path = callback_url.removeprefix("https://budstikke.example")
    response = client.post(path, params, headers={"X-Twilio-Signature": signature})

    assert response.status_code == 204
    assert _status(message) == Status.DELIVERED


def test_a_twilio_callback_with_a_changed_field_is_refused(
    client: Client, personas: Personas
) -> None:
    message = actions.queue_sms(tenant=personas.tenant_a, phone="+4520123456", body="Hej")
    url = f"https://budstikke.example/sms/reports/twilio/?ref={message.reference}"
    params, signature = FakeTwilio.report(url, "delivered")
    params["MessageStatus"] = "failed"
    path = url.removeprefix("https://budstikke.example")
    response = client.post(path, params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    assert _status(message) == Status.QUEUED
