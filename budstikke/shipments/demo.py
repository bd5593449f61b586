"""Demo data for `manage.py demo`: price rules and a few hundred shipments in every status.

Idempotent: a tenant that already has demo shipments is left alone. No SMS is queued.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from budstikke.core import clock
from budstikke.customers.models import Customer
from budstikke.shipments import actions
from budstikke.shipments.actions import ParcelDraft, ShipmentDraft
from budstikke.shipments.machine import Status
from budstikke.shipments.models import (
    FailureReason,
    PriceRule,
    PriceSurcharge,
    PriceZone,
    Shipment,
    Source,
    TrackingEvent,
)
from budstikke.tenants.models import Tenant

COUNT = 300
PATHS: list[list[str]] = [
    [],
    [Status.ASSIGNED],
    [Status.ASSIGNED, Status.PICKED_UP],
    [Status.ASSIGNED, Status.PICKED_UP, Status.IN_TRANSIT],
    [Status.ASSIGNED, Status.PICKED_UP, Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY],
    [Status.ASSIGNED, Status.PICKED_UP, Status.OUT_FOR_DELIVERY, Status.DELIVERED],
    [
        Status.ASSIGNED,
        Status.PICKED_UP,
        Status.IN_TRANSIT,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERED,
    ],
    [Status.ASSIGNED, Status.PICKED_UP, Status.OUT_FOR_DELIVERY, Status.FAILED_ATTEMPT],
    [
        Status.ASSIGNED,
        Status.PICKED_UP,
        Status.OUT_FOR_DELIVERY,
        Status.FAILED_ATTEMPT,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERED,
    ],
    [
        Status.ASSIGNED,
        Status.PICKED_UP,
        Status.OUT_FOR_DELIVERY,
        Status.FAILED_ATTEMPT,
        Status.RETURNED,
    ],
    [Status.CANCELLED],
]
STREETS = ["Vesterbrogade", "Nørrebrogade", "Amagerbrogade", "Strandvejen", "Østergade", "Algade"]
NAMES = ["Mette Hansen", "Lars Nielsen", "Sofie Jensen", "Anders Pedersen", "Ida Larsen"]
PLACES = [
    ("1620", "København V"),
    ("2200", "København N"),
    ("2300", "København S"),
    ("4000", "Roskilde"),
    ("5000", "Odense C"),
    ("8000", "Aarhus C"),
]


def _price_rules(tenant: Tenant) -> None:
    if PriceRule.objects.for_tenant(tenant).exists():
        return
    city, _new = PriceZone.objects.get_or_create(
        tenant=tenant, name="Storkøbenhavn", defaults={"postcodes": "1000-2999", "position": 1}
    )
    zealand, _new = PriceZone.objects.get_or_create(
        tenant=tenant, name="Sjælland", defaults={"postcodes": "3000-4999", "position": 2}
    )
    for zone, prices in (
        (city, ("59", "79", "129")),
        (zealand, ("79", "99", "159")),
        (None, ("99", "129", "199")),
    ):
        for ceiling, price in zip((Decimal("5"), Decimal("20"), None), prices, strict=True):
            PriceRule.objects.create(
                tenant=tenant, zone=zone, max_weight_kg=ceiling, price=Decimal(price)
            )
    PriceSurcharge.objects.create(
        tenant=tenant,
        kind=PriceSurcharge.Kind.COD,
        label="Efterkravsgebyr",
        amount=Decimal("25"),
        percent=Decimal("1"),
    )
    PriceSurcharge.objects.create(
        tenant=tenant,
        kind=PriceSurcharge.Kind.EXTRA_PARCEL,
        label="Ekstra kolli",
        amount=Decimal("15"),
    )
    PriceSurcharge.objects.create(
        tenant=tenant,
        kind=PriceSurcharge.Kind.SERVICE,
        service="express",
        label="Ekspres",
        percent=Decimal("50"),
    )
    PriceSurcharge.objects.create(
        tenant=tenant,
        kind=PriceSurcharge.Kind.TIME_WINDOW,
        label="Tidsvindue",
        amount=Decimal("20"),
    )


def _customers(tenant: Tenant) -> list[Customer]:
    found = list(
        Customer.objects.for_tenant(tenant).filter(archived_at__isnull=True, barred=False)[:5]
    )
    if found:
        return found
    made = []
    for number, name, street, postcode, city in (
        (9001, "Cykelbutikken ApS", "Nørregade 1", "1165", "København K"),
        (9002, "Vinhandel Roskilde", "Algade 12", "4000", "Roskilde"),
    ):
        made.append(
            Customer.objects.create(
                tenant=tenant,
                customer_number=number,
                name=name,
                address=street,
                zip=postcode,
                city=city,
                country="DK",
            )
        )
    return made


def seed(tenant: Tenant, *, count: int = COUNT) -> int:
    """Price rules and `count` shipments spread over the last two weeks; 0 when already there."""
    if Shipment.objects.for_tenant(tenant).filter(source=Source.DEMO).exists():
        return 0
    rng = random.Random(tenant.pk)  # noqa: S311 - demo data, not security
    with transaction.atomic():
        _price_rules(tenant)
        customers = _customers(tenant)
        now = clock.now()
        for index in range(count):
            customer = customers[index % len(customers)]
            postcode, city = rng.choice(PLACES)
            created = now - timedelta(hours=rng.randint(1, 14 * 24))
            start = created.replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
            draft = ShipmentDraft(
                customer=customer,
                recipient_name=rng.choice(NAMES),
                recipient_phone=f"+45{rng.randint(20000000, 29999999)}",
                delivery_address=f"{rng.choice(STREETS)} {rng.randint(1, 150)}",
                delivery_postcode=postcode,
                delivery_city=city,
                pickup_name=customer.name or "",
                pickup_address=customer.address or "Nørregade 1",
                pickup_postcode=customer.zip or "1165",
                pickup_city=customer.city or "København K",
                service=rng.choice(["standard", "standard", "express", "same_day"]),
                reference=f"DEMO-{index + 1:04d}",
                window_start=start if index % 3 == 0 else None,
                window_end=start + timedelta(hours=2) if index % 3 == 0 else None,
                cod_amount=Decimal(rng.randint(100, 2000)) if index % 10 == 0 else None,
                parcels=[
                    ParcelDraft(weight_kg=Decimal(rng.randint(1, 300)) / 10)
                    for _p in range(rng.choice([1, 1, 1, 2, 3]))
                ],
            )
            shipment = actions.create_shipment(tenant, draft, source=Source.DEMO, actor="demo")
            Shipment.objects.for_tenant(tenant).filter(pk=shipment.pk).update(
                created_at=created, status_changed_at=created
            )
            TrackingEvent.objects.for_tenant(tenant).filter(shipment=shipment).update(at=created)
            moment = created
            for status in PATHS[index % len(PATHS)]:
                moment = min(moment + timedelta(minutes=rng.randint(20, 300)), now)
                reason = rng.choice(FailureReason.values) if status == Status.FAILED_ATTEMPT else ""
                actions.transition(
                    shipment, status, actor="demo", at=moment, reason=reason, notify=False
                )
    return count
