"""The shipment events web hooks carry, queued as outbox rows in the caller's transaction.

`shipments.actions` calls `shipment_created` and `status_changed` where a shipment is made
or moves; nothing here sends anything: the worker does, after the transaction commits.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

from budstikke.core import clock
from budstikke.webhooks.models import Delivery, Endpoint, EventType

if TYPE_CHECKING:
    from budstikke.shipments.models import Shipment, TrackingEvent


def _data(shipment: Shipment) -> dict[str, Any]:
    """What a shipper may learn: its own references and the status; no recipient data."""
    return {
        "tracking_number": shipment.tracking_number,
        "status": shipment.status,
        "reference": shipment.reference,
        "order_reference": shipment.order_reference,
        "customer_id": shipment.customer_id,
        "tracking_url": f"{settings.PUBLIC_URL}/t/{shipment.tracking_number}",
    }


def _queue(shipment: Shipment, event_type: str, data: dict[str, Any]) -> list[Delivery]:
    endpoints = [
        e
        for e in Endpoint.objects.for_tenant(shipment.tenant).filter(enabled=True)
        if e.wants(event_type)
    ]
    if not endpoints:
        return []
    now = clock.now()
    payload = {"type": event_type, "timestamp": now.isoformat(), "data": data}
    rows = Delivery.objects.bulk_create(
        Delivery(
            tenant_id=shipment.tenant_id,
            endpoint=endpoint,
            message_id=f"msg_{uuid.uuid4().hex}",
            event_type=event_type,
            payload=payload,
            next_attempt_at=now,
            created_at=now,
        )
        for endpoint in endpoints
    )
    ids = [row.pk for row in rows if row.pk is not None]
    if ids:
        transaction.on_commit(lambda: _schedule(ids))
    return rows


def _schedule(ids: list[int]) -> None:
    from budstikke.webhooks.tasks import deliver_webhook

    for pk in ids:
        deliver_webhook(pk)


def shipment_created(shipment: Shipment) -> None:
    _queue(shipment, EventType.CREATED, _data(shipment))


def status_changed(shipment: Shipment, event: TrackingEvent) -> None:
    data = _data(shipment) | {
        "previous_status": event.from_status,
        "at": event.at.isoformat(),
        "reason": event.reason,
    }
    _queue(shipment, EventType.STATUS_CHANGED, data)
    if event.status == "delivered":
        _queue(shipment, EventType.DELIVERED, data)
