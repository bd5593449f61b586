"""The export of a data-subject request (GDPR Art. 15 access, Art. 20 portability): a zip
with one JSON document of every record about the person, grouped by kind, and one CSV file
per kind.

A record holds the person's own fields only. A shipment found by its recipient shows the
delivery side (never the pickup party, the price or the shipper's name); one found by its
pickup party shows the pickup side. A customer's contact persons are other people and are
left out of the customer's record; a contact person's record names the customer by number
only. A proof of delivery names the receiver and carries the signature only when the
receiver is the recipient. Couriers' positions are the couriers' data and never exported.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from budstikke.core import clock
from budstikke.dispatch.models import StopUpdate
from budstikke.economic.models import Conflict
from budstikke.privacy.dsr_search import NAME, Findings, same
from budstikke.shipments.models import Shipment, TrackingEvent
from budstikke.shipments.name_index import normalise_name
from budstikke.tenants.models import Tenant

type Record = dict[str, Any]

KINDS = (
    "customers",
    "contact_persons",
    "economic_conflicts",
    "deliveries",
    "tracking_events",
    "proofs_of_delivery",
    "pickups",
    "sms_messages",
    "sms_opt_outs",
    "invitations",
)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _customer(c: Any) -> Record:
    return {
        "customer_number": c.customer_number,
        "name": c.name,
        "address": c.address,
        "postcode": c.zip,
        "city": c.city,
        "country": c.country,
        "email": c.email,
        "mobile_phone": c.mobile_phone,
        "telephone_and_fax": c.telephone_and_fax,
        "cvr": c.cvr,
        "ean": c.ean,
        "website": c.website,
        "pickup_addresses": c.pickup_addresses,
        "notes": c.notes,
        "custom_fields": c.custom_fields,
        "created_at": _when(c.created_at),
    }


def _delivery(s: Shipment) -> Record:
    return {
        "tracking_number": s.tracking_number,
        "status": s.status,
        "service": s.service,
        "created_at": _when(s.created_at),
        "delivered_at": _when(s.delivered_at),
        "recipient_name": s.recipient_name,
        "recipient_phone": s.recipient_phone,
        "recipient_email": s.recipient_email,
        "recipient_language": s.recipient_language,
        "delivery_address": s.delivery_address,
        "delivery_postcode": s.delivery_postcode,
        "delivery_city": s.delivery_city,
        "delivery_country": s.delivery_country,
        "delivery_notes": s.notes,
        "window_start": _when(s.window_start),
        "window_end": _when(s.window_end),
        "parcels": s.parcel_count,
        "weight_kg": s.weight_kg,
    }


def _pickup(s: Shipment) -> Record:
    return {
        "tracking_number": s.tracking_number,
        "status": s.status,
        "created_at": _when(s.created_at),
        "pickup_name": s.pickup_name,
        "pickup_address": s.pickup_address,
        "pickup_postcode": s.pickup_postcode,
        "pickup_city": s.pickup_city,
        "pickup_country": s.pickup_country,
        "pickup_phone": s.pickup_phone,
    }


def _events(tenant: Tenant, shipments: list[Shipment]) -> list[Record]:
    numbers = {s.pk: s.tracking_number for s in shipments}
    events = TrackingEvent.objects.for_tenant(tenant).filter(shipment_id__in=numbers)
    return [
        {
            "tracking_number": numbers[e.shipment_id],
            "at": _when(e.at),
            "status": e.status,
            "reason": e.reason,
            "note": e.note,
        }
        for e in events.order_by("shipment_id", "at", "pk")
    ]


def _proofs(tenant: Tenant, shipments: list[Shipment]) -> list[Record]:
    """The receiver's name and signature only when the receiver is the recipient: a
    neighbour who signed is someone else."""
    by_pk = {s.pk: s for s in shipments}
    updates = StopUpdate.objects.for_tenant(tenant).filter(shipment_id__in=by_pk)
    records = []
    for u in updates.order_by("shipment_id", "created_at", "pk"):
        shipment = by_pk[u.shipment_id]
        own = same(NAME, u.recipient_name, normalise_name(shipment.recipient_name or ""))
        records.append(
            {
                "tracking_number": shipment.tracking_number,
                "action": u.action,
                "at": _when(u.created_at),
                "received_by": u.recipient_name if own else None,
                "signature_png_base64": (
                    base64.b64encode(u.signature).decode() if own and u.signature else None
                ),
            }
        )
    return records


def records(tenant: Tenant, found: Findings) -> dict[str, list[Record]]:
    """Every record about the person, by kind (the kinds in `KINDS`, empty ones too)."""
    conflicts = Conflict.objects.for_tenant(tenant).filter(
        customer_id__in=[c.pk for c in found.customers]
    )
    numbers = {c.pk: c.customer_number for c in found.customers}
    return {
        "customers": [_customer(c) for c in found.customers],
        "contact_persons": [
            {
                "customer_number": contact.customer.customer_number,
                "name": contact.person.get("name", ""),
                "email": contact.person.get("email", ""),
                "phone": contact.person.get("phone", ""),
                "role": contact.person.get("role", ""),
            }
            for contact in found.contacts
        ],
        "economic_conflicts": [
            {
                "customer_number": numbers[c.customer_id],
                "field": c.field,
                "values": c.values,
                "created_at": _when(c.created_at),
            }
            for c in conflicts.order_by("pk")
        ],
        "deliveries": [_delivery(s) for s in found.deliveries],
        "tracking_events": _events(tenant, found.deliveries),
        "proofs_of_delivery": _proofs(tenant, found.deliveries),
        "pickups": [_pickup(s) for s in found.pickups],
        "sms_messages": [
            {
                "phone": m.phone,
                "text": m.body,
                "status": m.status,
                "created_at": _when(m.created_at),
                "sent_at": _when(m.sent_at),
            }
            for m in found.sms
        ],
        "sms_opt_outs": [{"phone": o.phone, "since": _when(o.created_at)} for o in found.opt_outs],
        "invitations": [
            {
                "email": i.email,
                "role": i.role,
                "created_at": _when(i.created_at),
                "accepted_at": _when(i.accepted_at),
            }
            for i in found.invitations
        ],
    }


def counts(grouped: dict[str, list[Record]]) -> dict[str, int]:
    return {kind: len(rows) for kind, rows in grouped.items() if rows}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return str(value)


def _csv(rows: Iterable[Record]) -> bytes:
    rows = list(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    columns = list(rows[0])
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue().encode("utf-8-sig")  # spreadsheet programs read the BOM as UTF-8


def archive(tenant: Tenant, found: Findings, grouped: dict[str, list[Record]]) -> bytes:
    """The zip: `data.json` (all kinds) and `<kind>.csv` for each kind with records."""
    document = {
        "controller": tenant.name,
        "exported_at": clock.now().isoformat(),
        "searched_by": found.by,
        "records": grouped,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(
            "data.json",
            json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
        for kind in KINDS:
            if grouped.get(kind):
                zipped.writestr(f"{kind}.csv", _csv(grouped[kind]))
    return buffer.getvalue()
