"""A local receiver gets each event once, signed per Standard Webhooks, retried after a
500 with backoff; the attempts are logged; a dead endpoint is disabled."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from budstikke.dispatch.testing import assigned_shipment, courier_of
from budstikke.shipments.testing import make_shipment
from budstikke.tenants.testing import Personas
from budstikke.webhooks import actions, outbox, tasks
from budstikke.webhooks.models import Attempt, Delivery, Endpoint, EventType
from budstikke.webhooks.testing import local_receiver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_targets(settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True


def _endpoint(personas: Personas, url: str, *events: str) -> tuple[Endpoint, str]:
    return actions.create_endpoint(
        personas.tenant_a, url=url, events=list(events or EventType.values), by=personas.alice
    )


def test_a_signed_event_reaches_the_receiver_once_after_a_500(
    personas: Personas, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with local_receiver(500, 200) as receiver:
        _endpoint_row, secret = _endpoint(personas, receiver.url, EventType.CREATED)
        with django_capture_on_commit_callbacks(execute=True):
            shipment = make_shipment(personas.tenant_a, reference="ORDRE-7")

        # The first try (right after the commit) got a 500: waiting with backoff.
        delivery = Delivery.objects.for_tenant(personas.tenant_a).get()
        assert len(receiver.calls) == 1
        assert delivery.status == Delivery.Status.PENDING
        assert delivery.next_attempt_at > delivery.created_at
        tasks.sweep_webhooks.call_local()
        assert len(receiver.calls) == 1  # not due yet

        clock.advance(timedelta(seconds=31))
        tasks.sweep_webhooks.call_local()
        assert len(receiver.calls) == 2
        clock.advance(timedelta(hours=1))
        tasks.sweep_webhooks.call_local()
        assert len(receiver.calls) == 2  # delivered: never again

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert [a.status_code for a in Attempt.objects.for_tenant(personas.tenant_a)] == [500, 200]
    first, second = receiver.calls
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.message_id
    # The Standard Webhooks reference library accepts the signature.
    payload = Webhook(secret).verify(first.body, first.headers)
    assert payload["type"] == "shipment.created"
    assert payload["data"]["tracking_number"] == shipment.tracking_number
    assert payload["data"]["reference"] == "ORDRE-7"
    assert "Mette" not in first.body.decode()  # no recipient data leaves
    with pytest.raises(Exception, match=r"(?i)signature"):
        Webhook(secret).verify(first.body.replace(b"ORDRE-7", b"ORDRE-8"), first.headers)


def test_status_changes_and_delivery_are_separate_events(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    with local_receiver(200) as receiver:
        _endpoint(personas, receiver.url, EventType.STATUS_CHANGED, EventType.DELIVERED)
        carl = courier_of(personas.tenant_a, personas.carl)
        with django_capture_on_commit_callbacks(execute=True):
            shipment = assigned_shipment(personas.tenant_a, carl, personas.bob)
        from budstikke.shipments import actions as shipment_actions

        for status in ("picked_up", "out_for_delivery", "delivered"):
            with django_capture_on_commit_callbacks(execute=True):
                shipment_actions.transition(shipment, status, actor=personas.carl)
    kinds = [json.loads(call.body)["type"] for call in receiver.calls]
    assert kinds == ["shipment.status_changed"] * 4 + ["shipment.delivered"]
    last = json.loads(receiver.calls[-1].body)["data"]
    assert last["status"] == "delivered"
    assert last["previous_status"] == "out_for_delivery"


def test_nothing_is_queued_when_the_shipment_change_rolls_back(personas: Personas) -> None:
    _endpoint(personas, "https://hooks.example.com/x", EventType.CREATED)
    from django.db import transaction

    def create_then_fail() -> None:
        with transaction.atomic():
            make_shipment(personas.tenant_a)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        create_then_fail()
    assert not Delivery.objects.for_tenant(personas.tenant_a).exists()


def test_an_endpoint_failing_for_a_day_is_disabled(personas: Personas, clock: Any) -> None:
    with local_receiver(500) as receiver:
        endpoint, _secret = _endpoint(personas, receiver.url, EventType.CREATED)
        make_shipment(personas.tenant_a)
        for _ in range(outbox.MAX_ATTEMPTS):
            outbox.deliver_due()
            clock.advance(timedelta(hours=12, seconds=1))
        calls = len(receiver.calls)
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert "failing for a day" in endpoint.disabled_reason
    assert calls >= outbox.DISABLE_MIN_FAILURES
    assert Delivery.objects.for_tenant(personas.tenant_a).get().status == Delivery.Status.FAILED
    # Disabled: new events are not even queued.
    make_shipment(personas.tenant_a)
    assert Delivery.objects.for_tenant(personas.tenant_a).count() == 1


def test_a_redirect_is_not_followed(personas: Personas) -> None:
    with local_receiver(302) as receiver:
        _endpoint(personas, receiver.url, EventType.CREATED)
        make_shipment(personas.tenant_a)
        outbox.deliver_due()
    delivery = Delivery.objects.for_tenant(personas.tenant_a).get()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_error == "redirect not followed"
    assert len(receiver.calls) == 1
