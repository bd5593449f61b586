"""Without the setting, web hooks never go to private, loopback or link-local addresses:
not as a literal, and not through a name that resolves there (every address is checked)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from budstikke.shipments.testing import make_shipment
from budstikke.tenants.testing import Personas
from budstikke.webhooks import actions, outbox, targets
from budstikke.webhooks.models import Attempt, Delivery, EventType
from budstikke.webhooks.testing import local_receiver

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:192.168.1.1]/hook",
        "http://hooks.example.com/plain-http",
        "https://user:pw@hooks.example.com/",
    ],
)
def test_unsafe_urls_are_refused_when_created(personas: Personas, url: str) -> None:
    with pytest.raises(actions.EndpointError):
        actions.create_endpoint(
            personas.tenant_a, url=url, events=[EventType.CREATED], by=personas.alice
        )


def test_a_name_with_any_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def answers(host: str, port: int, **kwargs: Any) -> list[Any]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", answers)
    with pytest.raises(targets.UnsafeTargetError):
        targets.resolve("https://rebind.example.com/hook")


def test_the_request_goes_to_the_checked_address(monkeypatch: pytest.MonkeyPatch) -> None:
    def answers(host: str, port: int, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(socket, "getaddrinfo", answers)
    target = targets.resolve("https://shop.example.com:8443/hook?t=1")
    assert str(target.url) == "https://93.184.216.34:8443/hook?t=1"
    assert target.host == "shop.example.com"
    assert target.netloc == "shop.example.com:8443"


def test_delivery_to_a_loopback_receiver_is_refused_by_default(
    personas: Personas, settings: Any
) -> None:
    with local_receiver(200) as receiver:
        settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
        actions.create_endpoint(
            personas.tenant_a, url=receiver.url, events=[EventType.CREATED], by=personas.alice
        )
        settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
        make_shipment(personas.tenant_a)
        outbox.deliver_due()
    assert receiver.calls == []
    delivery = Delivery.objects.for_tenant(personas.tenant_a).get()
    assert delivery.status == Delivery.Status.PENDING
    attempt = Attempt.objects.for_tenant(personas.tenant_a).get()
    assert attempt.status_code is None
    assert attempt.error


def test_a_name_resolving_to_loopback_is_refused() -> None:
    with pytest.raises(targets.UnsafeTargetError, match="private or local"):
        targets.resolve("https://localhost:8443/hook")
