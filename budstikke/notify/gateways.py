"""SMS gateways behind one interface: `send(Outgoing) -> Accepted`, or `GatewayError`.

- console: the default; nothing leaves the machine, the message shows in the tenant's
  outbox page as sent.
- GatewayAPI: `POST {base}/rest/mtsms`, `Authorization: Token …`, JSON
  `{sender, message, recipients: [{msisdn}], userref, callback_url, encoding}`.
- Twilio: `POST {base}/2010-04-01/Accounts/{Sid}/Messages.json`, HTTP basic auth
  (Account SID, auth token), form-encoded `To`, `From`, `Body`, `StatusCallback`.

Our `reference` travels with each message (GatewayAPI's `userref`, the query string of
Twilio's status callback), so delivery reports find their row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from django.conf import settings

from budstikke.notify.segments import UCS2

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(20.0, connect=5.0)
_transport: httpx.BaseTransport | None = None


@contextmanager
def use_transport(transport: httpx.BaseTransport) -> Iterator[None]:
    """Route every gateway call through `transport` (tests: a local fake)."""
    global _transport  # noqa: PLW0603 - a test seam, restored on exit
    previous, _transport = _transport, transport
    try:
        yield
    finally:
        _transport = previous


@dataclass(frozen=True)
class Outgoing:
    reference: str
    to: str  # E.164
    body: str
    sender: str
    encoding: str
    callback_url: str


@dataclass(frozen=True)
class Accepted:
    provider_id: str


class GatewayError(Exception):
    """The gateway did not take the message. `retryable`: try again later (timeouts,
    429, 5xx); otherwise the message fails with this reason (bad number, bad credentials)."""

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class Gateway(Protocol):
    name: str

    def send(self, message: Outgoing) -> Accepted: ...


class ConsoleGateway:
    name = "console"

    def send(self, message: Outgoing) -> Accepted:
        log.info("console SMS %s accepted (%s characters)", message.reference, len(message.body))
        return Accepted(f"console-{message.reference}")


def _client(**kwargs: Any) -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, transport=_transport, **kwargs)


def _failure(response: httpx.Response) -> GatewayError:
    """A reason safe to store and show: status and the gateway's own error code/message."""
    retryable = response.status_code == 429 or response.status_code >= 500
    detail = ""
    try:
        data = response.json()
        if isinstance(data, dict):
            detail = str(data.get("message") or data.get("code") or "")[:150]
    except ValueError:
        pass
    reason = f"HTTP {response.status_code}" + (f": {detail}" if detail else "")
    return GatewayError(reason, retryable=retryable)


def _post(client: httpx.Client, url: str, **kwargs: Any) -> httpx.Response:
    try:
        return client.post(url, **kwargs)
    except httpx.TimeoutException:
        raise GatewayError("timeout", retryable=True) from None
    except httpx.TransportError as error:
        raise GatewayError(f"connection failed: {type(error).__name__}", retryable=True) from None


class GatewayApiGateway:
    name = "gatewayapi"

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token

    def send(self, message: Outgoing) -> Accepted:
        payload: dict[str, Any] = {
            "sender": message.sender,
            "message": message.body,
            "recipients": [{"msisdn": int(message.to.lstrip("+"))}],
            "userref": message.reference,
            "callback_url": message.callback_url,
        }
        if message.encoding == UCS2:
            payload["encoding"] = "UCS2"
        with _client(base_url=self.base_url) as client:
            response = _post(
                client,
                "/rest/mtsms",
                json=payload,
                headers={"Authorization": f"Token {self.token}", "Accept": "application/json"},
            )
        if response.status_code != 200:
            raise _failure(response)
        try:
            ids = response.json()["ids"]
            return Accepted(str(ids[0]))
        except (ValueError, KeyError, IndexError, TypeError):
            raise GatewayError("unreadable answer from GatewayAPI", retryable=False) from None


class TwilioGateway:
    name = "twilio"

    def __init__(self, base_url: str, account_sid: str, auth_token: str, sender: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sender = sender

    def send(self, message: Outgoing) -> Accepted:
        form = {
            "To": message.to,
            "From": self.sender,
            "Body": message.body,
            "StatusCallback": message.callback_url,
        }
        with _client(
            base_url=self.base_url, auth=httpx.BasicAuth(self.account_sid, self.auth_token)
        ) as client:
            response = _post(
                client, f"/2010-04-01/Accounts/{self.account_sid}/Messages.json", data=form
            )
        if response.status_code not in (200, 201):
            raise _failure(response)
        try:
            return Accepted(str(response.json()["sid"]))
        except (ValueError, KeyError, TypeError):
            raise GatewayError("unreadable answer from Twilio", retryable=False) from None


def configured(name: str | None = None) -> Gateway:
    """The gateway named by `SMS_GATEWAY` (settings have checked its credentials)."""
    name = name or settings.SMS_GATEWAY
    if name == "gatewayapi":
        return GatewayApiGateway(
            settings.SMS_GATEWAYAPI_BASE_URL, settings.SMS_GATEWAYAPI_TOKEN or ""
        )
    if name == "twilio":
        return TwilioGateway(
            settings.SMS_TWILIO_BASE_URL,
            settings.SMS_TWILIO_ACCOUNT_SID or "",
            settings.SMS_TWILIO_AUTH_TOKEN or "",
            settings.SMS_TWILIO_FROM or "",
        )
    return ConsoleGateway()
