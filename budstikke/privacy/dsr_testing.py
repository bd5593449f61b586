"""Test data for data-subject requests: one person, Anna Hansen, among look-alikes.

Anna is a recipient, a pickup party, a contact person, a texted number and an SMS
opt-out in tenant A. Around her: Hanna Hansen and Anna Hansen-Berg (look-alike names) at
the same street address, with phone numbers one digit away and similar email addresses;
and an Anna Hansen with the very same email and phone in tenant B, which no request of
tenant A may ever reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from budstikke.customers.actions import create_customer
from budstikke.customers.models import Customer
from budstikke.notify.models import OptOut, SmsMessage
from budstikke.shipments.models import Shipment
from budstikke.shipments.testing import make_customer, make_shipment
from budstikke.tenants.models import Tenant
from budstikke.tenants.testing import Personas

ANNA = "Anna Hansen"
ANNA_EMAIL = "anna.hansen@example.dk"
ANNA_PHONE = "+45 20 12 34 56"
STREET = "Vesterbrogade 10, 2. th."
OTHERS = {
    "Hanna Hansen": ("hanna.hansen@example.dk", "+4520123457"),
    "Anna Hansen-Berg": ("anna.hansen@example.dk.test", "+4520123455"),
}


@dataclass
class World:
    shipper: Customer
    anna_customer: Customer
    deliveries: list[Shipment] = field(default_factory=list)
    pickups: list[Shipment] = field(default_factory=list)
    others: list[Shipment] = field(default_factory=list)
    elsewhere: list[Shipment] = field(default_factory=list)


def _to(tenant: Tenant, shipper: Customer, name: str, email: str, phone: str) -> Shipment:
    return make_shipment(
        tenant,
        shipper,
        recipient_name=name,
        recipient_email=email,
        recipient_phone=phone,
        delivery_address=STREET,
        notes=f"Ring hos {name}",
    )


def make_world(p: Personas, *, deliveries: int = 2) -> World:
    tenant = p.tenant_a
    shipper = make_customer(
        tenant,
        "Cykelbutikken ApS",
        contact_persons=[
            {"name": ANNA, "email": ANNA_EMAIL, "phone": ANNA_PHONE, "role": "Indkøb"},
            {"name": "Hanna Hansen", "email": "hanna.hansen@example.dk", "phone": "", "role": ""},
        ],
    )
    anna_customer = create_customer(
        tenant=tenant,
        name=ANNA,
        email=ANNA_EMAIL,
        mobile_phone=ANNA_PHONE,
        address=STREET,
        notes="Enkeltmandsvirksomhed",
    )
    world = World(shipper, anna_customer)
    world.deliveries = [
        _to(tenant, shipper, ANNA, ANNA_EMAIL, ANNA_PHONE) for _n in range(deliveries)
    ]
    world.pickups = [
        make_shipment(
            tenant,
            anna_customer,
            pickup_name=ANNA,
            pickup_address=STREET,
            pickup_phone=ANNA_PHONE,
            recipient_name="Jens Jensen",
            recipient_email="jens@example.dk",
            recipient_phone="+4540404040",
        )
    ]
    world.others = [
        _to(tenant, shipper, name, email, phone) for name, (email, phone) in OTHERS.items()
    ]
    SmsMessage.objects.create(tenant=tenant, phone="+4520123456", body="Din pakke kommer i dag")
    SmsMessage.objects.create(tenant=tenant, phone="+4520123457", body="Hannas pakke")
    OptOut.objects.create(tenant=tenant, phone="+4520123456")
    b_shipper = make_customer(p.tenant_b, "Beta Butik ApS")
    world.elsewhere = [_to(p.tenant_b, b_shipper, ANNA, ANNA_EMAIL, ANNA_PHONE)]
    create_customer(tenant=p.tenant_b, name=ANNA, email=ANNA_EMAIL, mobile_phone=ANNA_PHONE)
    return world
