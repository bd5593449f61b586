"""Killing the worker in the middle of sending leaves no message sent twice and none lost.

The worker is a real process (`manage.py sms deliver`) talking to a fake GatewayAPI on a
loopback socket; it is killed with SIGKILL after the gateway has taken the second message
and before the worker could record that. The gateway's delivery reports (which name our
reference) settle the interrupted message; a second delivery run sends the rest.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from budstikke.core import clock
from budstikke.notify import actions, gateways, outbox
from budstikke.notify.gateways import GatewayApiGateway
from budstikke.notify.models import SmsMessage
from budstikke.notify.testing import (
    GATEWAYAPI_SECRET,
    GATEWAYAPI_TOKEN,
    FakeGatewayApi,
    FakeGatewayApiServer,
    Received,
)
from budstikke.tenants.testing import Personas

Status = SmsMessage.Status


class WorkerDied(BaseException):
    """Stands in for SIGKILL inside this process: nothing after it runs."""


def _no_quiet_hours(personas: Personas) -> None:
    actions.save_settings(
        tenant=personas.tenant_a,
        events=[],
        sender="",
        monthly_cap=100,
        rate_per_minute=60,
        quiet_start=time(0),
        quiet_end=time(0),
    )


def _statuses(messages: list[SmsMessage]) -> list[str]:
    return [str(SmsMessage.objects.for_tenant(m.tenant).get(pk=m.pk).status) for m in messages]


def _report(client: Client, reference: str, status: str) -> None:
    report = FakeGatewayApi.report(reference, status)
    response = client.post(
        reverse("notify:callback-gatewayapi"),
        report["body"],
        content_type="application/json",
        headers={"X-Gwapi-Signature": report["signature"]},
    )
    assert response.status_code == 204


@pytest.fixture
def gateway_settings(settings: Any) -> None:
    settings.SMS_GATEWAYAPI_WEBHOOK_SECRET = GATEWAYAPI_SECRET


def _worker_env(fake_url: str, tmp_path: Path) -> dict[str, str]:
    database = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMS_", "DATABASE_URL"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        "BUDSTIKKE_DATA_DIR": str(tmp_path / "var"),
        "BUDSTIKKE_KEYS_DIR": str(settings.KEYS_DIR),
        "SHIELD_SECURITY_LOG": "off",
        "SMS_GATEWAY": "gatewayapi",
        "SMS_GATEWAYAPI_BASE_URL": fake_url,
        "SMS_GATEWAYAPI_TOKEN": GATEWAYAPI_TOKEN,
        "SMS_GATEWAYAPI_WEBHOOK_SECRET": GATEWAYAPI_SECRET,
    }
    return env


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a second process needs a shared database"
)
@pytest.mark.django_db(transaction=True)
def test_kill_9_during_a_send_loses_nothing_and_sends_nothing_twice(
    personas: Personas,
    client: Client,
    gateway_settings: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    actions.seed_default_codes()
    # Only the worker process delivers (not the in-process job run after each commit).
    monkeypatch.setattr(actions, "_schedule", lambda pk: None)
    _no_quiet_hours(personas)
    messages = [
        actions.queue_sms(tenant=personas.tenant_a, phone=f"+452012345{i}", body=f"Pakke {i}")
        for i in range(3)
    ]
    second_arrived, release = threading.Event(), threading.Event()

    def hold_the_second(entry: Received) -> None:
        if entry.json()["userref"] == str(messages[1].reference):
            second_arrived.set()
            release.wait(30)

    fake = FakeGatewayApi(on_request=hold_the_second)
    with FakeGatewayApiServer(fake) as server:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "sms", "deliver"],
            cwd=settings.BASE_DIR,
            env=_worker_env(server.url, tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            if not second_arrived.wait(60):
                worker.kill()
                out, err = worker.communicate()
                pytest.fail(f"the worker never sent the second message: {out!r} {err!r}")
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        finally:
            release.set()
            if worker.poll() is None:
                worker.kill()
        assert worker.returncode == -signal.SIGKILL
        assert _statuses(messages) == [Status.SENT, Status.SENDING, Status.QUEUED]

        # GatewayAPI reports on what it took, naming our reference.
        for entry in fake.received:
            _report(client, entry.json()["userref"], "DELIVERED")

        clock.advance(timedelta(seconds=outbox.CLAIM_SECONDS + 1))
        fake.on_request = None
        outbox.deliver_due(GatewayApiGateway(server.url, GATEWAYAPI_TOKEN))

    assert sorted(fake.references()) == sorted(str(m.reference) for m in messages)
    assert _statuses(messages) == [Status.DELIVERED, Status.DELIVERED, Status.SENT]


@pytest.fixture
def fake() -> Iterator[FakeGatewayApi]:
    fake = FakeGatewayApi()
    with gateways.use_transport(fake.transport()):
        yield fake


def _gateway() -> GatewayApiGateway:
    return GatewayApiGateway("https://gatewayapi.eu", GATEWAYAPI_TOKEN)


@pytest.mark.django_db
def test_a_send_interrupted_after_the_gateway_took_it_waits_for_its_report(
    fake: FakeGatewayApi, personas: Personas, client: Client, gateway_settings: None
) -> None:
    _no_quiet_hours(personas)
    message = actions.queue_sms(tenant=personas.tenant_a, phone="+4520123456", body="Hej")

    def die(entry: Received) -> None:
        raise WorkerDied

    fake.on_request = die
    with pytest.raises(WorkerDied):
        outbox.deliver(message.pk, _gateway())
    fake.on_request = None
    assert _statuses([message]) == [Status.SENDING]

    clock.advance(timedelta(seconds=outbox.CLAIM_SECONDS + 1))
    assert outbox.deliver_due(_gateway()) == {}  # a report may still come: not resent
    _report(client, str(message.reference), "ENROUTE")
    clock.advance(timedelta(seconds=settings.SMS_UNCERTAIN_SECONDS))
    assert outbox.deliver_due(_gateway()) == {}

    assert fake.references() == [str(message.reference)]
    assert _statuses([message]) == [Status.SENT]


@pytest.mark.django_db
def test_a_send_that_never_reached_the_gateway_is_sent_after_the_wait(
    fake: FakeGatewayApi, personas: Personas
) -> None:
    _no_quiet_hours(personas)
    message = actions.queue_sms(tenant=personas.tenant_a, phone="+4520123456", body="Hej")
    with gateways.use_transport(_dies_before_sending()), pytest.raises(WorkerDied):
        outbox.deliver(message.pk, _gateway())
    assert fake.received == []

    clock.advance(timedelta(seconds=outbox.CLAIM_SECONDS + 1))
    assert outbox.deliver_due(_gateway()) == {}
    clock.advance(timedelta(seconds=settings.SMS_UNCERTAIN_SECONDS))
    assert outbox.deliver_due(_gateway()) == {Status.SENT: 1}

    assert fake.references() == [str(message.reference)]
    assert _statuses([message]) == [Status.SENT]


def _dies_before_sending() -> Any:
    import httpx

    def handle(request: httpx.Request) -> httpx.Response:
        raise WorkerDied

    return httpx.MockTransport(handle)
