"""The entry point shipments call: `queue_shipment_notification`."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from django.db import transaction

from budstikke.core import clock
from budstikke.notify import actions
from budstikke.notify.actions import queue_shipment_notification
from budstikke.notify.models import SmsMessage
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db
CONTEXT = {
    "company": "Alfa Kurer",
    "tracking_link": "https://b.example/t/BUD1",
    "time_window": "12-14",
}


def _notify(personas: Personas, event: str, language: str = "da") -> SmsMessage | None:
    return queue_shipment_notification(
        tenant=personas.tenant_a,
        event=event,
        phone="+4520123456",
        language=language,
        context=CONTEXT,
    )


def test_it_queues_the_filled_in_text_in_the_recipients_language(personas: Personas) -> None:
    message = _notify(personas, "out_for_delivery", "en")
    assert message is not None
    assert message.status == SmsMessage.Status.QUEUED
    assert message.body == (
        "Alfa Kurer: Your parcel is out for delivery today 12-14. "
        "Track it: https://b.example/t/BUD1"
    )
    danish = _notify(personas, "ready_for_pickup", "da")
    assert danish is not None
    assert danish.body.startswith("Alfa Kurer: Din pakke er klar til afhentning.")


def test_events_the_tenant_does_not_text_queue_nothing(personas: Personas) -> None:
    assert _notify(personas, "delivered") is None
    actions.save_settings(
        tenant=personas.tenant_a,
        events=["delivered"],
        sender="",
        monthly_cap=10,
        rate_per_minute=10,
        quiet_start=time(21),
        quiet_end=time(8),
    )
    assert _notify(personas, "delivered") is not None
    assert _notify(personas, "out_for_delivery") is None


def test_the_tenants_own_text_is_used(personas: Personas) -> None:
    actions.save_template(
        tenant=personas.tenant_a,
        event="failed_attempt",
        language="da",
        body="{company}: Vi kommer igen i morgen {time_window}.",
    )
    message = _notify(personas, "failed_attempt")
    assert message is not None
    assert message.body == "Alfa Kurer: Vi kommer igen i morgen 12-14."


def test_the_row_exists_only_if_the_callers_transaction_commits(personas: Personas) -> None:
    def change_status_then_fail() -> None:
        with transaction.atomic():
            _notify(personas, "out_for_delivery")
            raise RuntimeError("the shipment update failed")

    with pytest.raises(RuntimeError):
        change_status_then_fail()
    assert not SmsMessage.objects.for_tenant(personas.tenant_a).exists()


def test_delivery_is_scheduled_after_commit(
    personas: Personas, django_capture_on_commit_callbacks: object
) -> None:
    clock.freeze(datetime(2026, 3, 10, 10, 0, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        message = _notify(personas, "out_for_delivery")
    assert message is not None
    message = SmsMessage.objects.for_tenant(personas.tenant_a).get(pk=message.pk)
    assert (message.status, message.gateway) == (SmsMessage.Status.SENT, "console")


def test_an_unknown_event_is_a_programming_error(personas: Personas) -> None:
    with pytest.raises(ValueError, match="unknown SMS event"):
        _notify(personas, "exploded")
