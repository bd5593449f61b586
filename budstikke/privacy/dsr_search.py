"""Finding one person in a tenant's data, for a data-subject request (GDPR Art. 15-17).

A person is looked for by one identifier: an email address, a phone number or a full
name. Every lookup is an exact match through a blind index (the vault's `find()`, or the
customers' name tokens), and every hit is checked again on the decrypted value, so a
truncated-index collision or a look-alike name ("Hanna Hansen", "Anna Hansen-Berg" for
"Anna Hansen") never counts as the person.

Two places have no index and are read in full, decrypting only customers (a tenant has
thousands at most, against millions of shipments): the contact persons kept on each
customer, and the customer's free-text "telephone and fax" field.

Where a person is found:
- `customers`: the person *is* a customer (a sole trader, found by email, mobile or name);
- `contacts`: the person is one contact person of a customer;
- `deliveries` / `pickups`: shipments where the person is the recipient / the pickup party;
- `sms` and `opt_outs`: text messages to, and opt-outs of, the phone number;
- `invitations`: invitations sent to the email address.
Web-hook deliveries carry tracking numbers and statuses only, so they hold nothing to find.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from budstikke.customers import search as customer_search
from budstikke.customers.models import Customer
from budstikke.notify.models import OptOut, SmsMessage
from budstikke.shipments.models import Shipment
from budstikke.shipments.name_index import normalise_name
from budstikke.tenants.models import Invitation, Tenant
from budstikke.vault.fields import normalise_email, normalise_phone

EMAIL = "email"
PHONE = "phone"
NAME = "name"


def normalise(by: str, value: str) -> str:
    """The comparable form of an identifier (what two spellings of it share)."""
    if by == EMAIL:
        return normalise_email(value)
    if by == PHONE:
        return normalise_phone(value)
    return normalise_name(value)


def same(by: str, stored: object, wanted: str) -> bool:
    return isinstance(stored, str) and bool(stored) and normalise(by, stored) == wanted


@dataclass
class Contact:
    """One entry of a customer's `contact_persons` list."""

    customer: Customer
    position: int
    person: dict[str, str]


@dataclass
class Findings:
    by: str
    value: str
    customers: list[Customer] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    deliveries: list[Shipment] = field(default_factory=list)
    pickups: list[Shipment] = field(default_factory=list)
    sms: list[SmsMessage] = field(default_factory=list)
    opt_outs: list[OptOut] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.customers,
                self.contacts,
                self.deliveries,
                self.pickups,
                self.sms,
                self.opt_outs,
                self.invitations,
            )
        )


def _by_pk[M: Customer | Shipment](rows: list[M]) -> list[M]:
    return sorted({row.pk: row for row in rows}.values(), key=lambda row: row.pk)


def _customers_by_name(tenant: Tenant, name: str) -> list[Customer]:
    """Name tokens narrow to customers having every word as a prefix; the decrypted name
    must then be exactly the person's name, word for word."""
    wanted = normalise(NAME, name)
    candidates = customer_search.search(tenant, name)
    return [c for c in candidates if same(NAME, c.name, wanted)]


def _contacts(tenant: Tenant, by: str, wanted: str) -> tuple[list[Contact], list[Customer]]:
    """Contact persons matching, and customers whose telephone-and-fax field is the phone."""
    key = {EMAIL: "email", PHONE: "phone", NAME: "name"}[by]
    contacts: list[Contact] = []
    phone_owners: list[Customer] = []
    rows = Customer.objects.for_tenant(tenant).order_by("pk")
    for customer in rows.iterator(chunk_size=500):
        for position, person in enumerate(customer.contact_persons or []):
            if isinstance(person, dict) and same(by, person.get(key), wanted):
                contacts.append(Contact(customer, position, person))
        if by == PHONE and same(PHONE, customer.telephone_and_fax, wanted):
            phone_owners.append(customer)
    return contacts, phone_owners


def find(tenant: Tenant, by: str, value: str) -> Findings:
    """Everything in `tenant` about the person identified by `value` (an email, phone or
    name, as `by` says). Nothing outside the tenant is ever looked at."""
    wanted = normalise(by, value)
    found = Findings(by=by, value=value)
    customers = Customer.objects.for_tenant(tenant)
    shipments = Shipment.objects.for_tenant(tenant)
    if by == EMAIL:
        found.customers = customers.find(email=value)
        found.deliveries = shipments.find(recipient_email=value)
        found.invitations = Invitation.objects.for_tenant(tenant).find(email=value)
    elif by == PHONE:
        found.customers = customers.find(mobile_phone=value)
        found.deliveries = shipments.find(recipient_phone=value)
        found.pickups = shipments.find(pickup_phone=value)
        found.sms = SmsMessage.objects.for_tenant(tenant).find(phone=value)
        found.opt_outs = OptOut.objects.for_tenant(tenant).find(phone=value)
    else:
        found.customers = _customers_by_name(tenant, value)
        found.deliveries = shipments.find(recipient_name=value)
        found.pickups = shipments.find(pickup_name=value)
    found.contacts, phone_owners = _contacts(tenant, by, wanted)
    found.customers = _by_pk([*found.customers, *phone_owners])
    found.deliveries = _by_pk(found.deliveries)
    found.pickups = _by_pk(found.pickups)
    return found
