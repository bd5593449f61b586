"""The HTTP gateways speak their services' real request shapes, against local fakes."""

from __future__ import annotations

import httpx
import pytest

from budstikke.notify import gateways
from budstikke.notify.gateways import GatewayApiGateway, GatewayError, Outgoing, TwilioGateway
from budstikke.notify.segments import GSM7, UCS2
from budstikke.notify.testing import (
    GATEWAYAPI_TOKEN,
    TWILIO_FROM,
    TWILIO_SID,
    TWILIO_TOKEN,
    FakeGatewayApi,
    FakeTwilio,
)


def _message(body: str = "Din pakke er på vej", encoding: str = GSM7) -> Outgoing:
    return Outgoing(
        reference="0b6f7f9e-1111-4222-8333-944445555666",
        to="+4520123456",
        body=body,
        sender="AlfaKurer",
        encoding=encoding,
        callback_url="https://budstikke.example/sms/reports/gatewayapi/",
    )


def test_gatewayapi_gets_json_with_token_auth_and_our_reference() -> None:
    fake = FakeGatewayApi()
    with gateways.use_transport(fake.transport()):
        accepted = GatewayApiGateway("https://gatewayapi.eu", GATEWAYAPI_TOKEN).send(_message())
    assert accepted.provider_id == "1001"
    sent = fake.received[0]
    assert sent.path == "/rest/mtsms"
    assert sent.headers["authorization"] == f"Token {GATEWAYAPI_TOKEN}"
    assert sent.json() == {
        "sender": "AlfaKurer",
        "message": "Din pakke er på vej",
        "recipients": [{"msisdn": 4520123456}],
        "userref": "0b6f7f9e-1111-4222-8333-944445555666",
        "callback_url": "https://budstikke.example/sms/reports/gatewayapi/",
    }


def test_gatewayapi_is_told_to_use_ucs2_for_unicode_text() -> None:
    fake = FakeGatewayApi()
    with gateways.use_transport(fake.transport()):
        GatewayApiGateway("https://gatewayapi.eu", GATEWAYAPI_TOKEN).send(
            _message("Hej 🙂", encoding=UCS2)
        )
    assert fake.received[0].json()["encoding"] == "UCS2"


def test_twilio_gets_a_form_with_basic_auth() -> None:
    fake = FakeTwilio()
    gateway = TwilioGateway("https://api.twilio.com", TWILIO_SID, TWILIO_TOKEN, TWILIO_FROM)
    with gateways.use_transport(fake.transport()):
        accepted = gateway.send(_message())
    assert accepted.provider_id.startswith("SM")
    sent = fake.received[0]
    assert sent.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert sent.form() == {
        "To": "+4520123456",
        "From": TWILIO_FROM,
        "Body": "Din pakke er på vej",
        "StatusCallback": "https://budstikke.example/sms/reports/gatewayapi/",
    }


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (503, True), (429, True)])
def test_server_trouble_is_retryable(status: int, retryable: bool) -> None:
    fake = FakeGatewayApi(fail_with=[status])
    with gateways.use_transport(fake.transport()), pytest.raises(GatewayError) as caught:
        GatewayApiGateway("https://gatewayapi.eu", GATEWAYAPI_TOKEN).send(_message())
    assert caught.value.retryable is retryable
    assert caught.value.reason.startswith(f"HTTP {status}")


def test_wrong_credentials_are_not_retried() -> None:
    fake = FakeGatewayApi()
    with gateways.use_transport(fake.transport()), pytest.raises(GatewayError) as caught:
        GatewayApiGateway("https://gatewayapi.eu", "wrong").send(_message())
    assert caught.value.retryable is False
    assert caught.value.reason == "HTTP 401: Unauthorized"


def test_a_rejected_number_at_twilio_is_not_retried() -> None:
    fake = FakeTwilio(fail_with=[400])
    gateway = TwilioGateway("https://api.twilio.com", TWILIO_SID, TWILIO_TOKEN, TWILIO_FROM)
    with gateways.use_transport(fake.transport()), pytest.raises(GatewayError) as caught:
        gateway.send(_message())
    assert caught.value.retryable is False
    assert "Invalid 'To'" in caught.value.reason


def test_a_connection_failure_is_retryable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with (
        gateways.use_transport(httpx.MockTransport(refuse)),
        pytest.raises(GatewayError) as caught,
    ):
        GatewayApiGateway("https://gatewayapi.eu", GATEWAYAPI_TOKEN).send(_message())
    assert caught.value.retryable is True


def test_the_console_gateway_sends_nothing_anywhere() -> None:
    def forbidden(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the console gateway made a network call")

    with gateways.use_transport(httpx.MockTransport(forbidden)):
        accepted = gateways.ConsoleGateway().send(_message())
    assert accepted.provider_id == "console-0b6f7f9e-1111-4222-8333-944445555666"
