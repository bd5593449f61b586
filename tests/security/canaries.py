"""Tenant A with canary personal data in every kind of object, and a detector for it.

Each canary carries a distinctive token (letters and digits only, so it reads the same plain,
HTML-escaped and JSON-escaped) inside a value with characters that escaping changes
(`Ø ' & < > "`). A response leaks a canary when it holds the token, or the whole value in any
of its plain, HTML-escaped or JSON-escaped forms, in its body or in a header.
"""

from __future__ import annotations

import html
import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import models

from budstikke.tenants.testing import Personas


@dataclass(frozen=True)
class Canary:
    label: str
    value: str
    tokens: tuple[str, ...]

    def forms(self) -> set[str]:
        return {
            self.value,
            html.escape(self.value),
            html.escape(self.value, quote=False),
            json.dumps(self.value)[1:-1],
            json.dumps(self.value, ensure_ascii=False)[1:-1],
        }


def _canary(label: str, token: str, decoration: str = 'Ø\'Brien & Søn <ApS> "x"') -> Canary:
    return Canary(label, f"{token} {decoration}", (token,))


# Personal and secret data of tenant A. Tokens are unique words no page would contain.
CUSTOMER_NAME = _canary("customer name", "Zqxcustname")
CUSTOMER_ADDRESS = _canary("customer address", "Zqxcustaddr")
CUSTOMER_CITY = _canary("customer city", "Zqxcustcity", "Ærø")
CUSTOMER_EMAIL = Canary("customer email", "zqxcustmail@kanarie.example", ("zqxcustmail",))
CUSTOMER_PHONE = Canary("customer phone", "+4571239846", ("71239846", "71 23 98 46"))
CUSTOMER_CVR = Canary("customer CVR", "DK31459276", ("31459276",))
CUSTOMER_WEBSITE = Canary("customer website", "https://zqxcustweb.example", ("zqxcustweb",))
CUSTOMER_NOTES = _canary("customer notes", "Zqxcustnotes")
CONTACT_NAME = _canary("contact person", "Zqxcontactname")
CONTACT_EMAIL = Canary("contact email", "zqxcontactmail@kanarie.example", ("zqxcontactmail",))
PICKUP_LABEL = _canary("pickup label", "Zqxpickuplabel")
PICKUP_ADDRESS = _canary("pickup address", "Zqxpickupaddr")
CUSTOM_VALUE = _canary("custom field value", "Zqxcustomvalue")
RECIPIENT_NAME = _canary("recipient name", "Zqxrecipname")
RECIPIENT_PHONE = Canary("recipient phone", "+4561847392", ("61847392", "61 84 73 92"))
RECIPIENT_EMAIL = Canary("recipient email", "zqxrecipmail@kanarie.example", ("zqxrecipmail",))
DELIVERY_ADDRESS = _canary("delivery address", "Zqxdelivaddr")
DELIVERY_CITY = _canary("delivery city", "Zqxdelivcity", "Ålborg")
SHIPMENT_NOTES = _canary("delivery notes", "Zqxshipnotes")
REFERENCE = Canary("shipper reference", "ZQXREF-4471", ("ZQXREF",))
EVENT_NOTE = _canary("courier note", "Zqxeventnote")
POSITION = Canary("courier position", "55.917364", ("55.917364", "12.483917"))
RECEIVED_BY = _canary("received by", "Zqxreceivedby")
SMS_PHONE = Canary("SMS phone", "+4542917368", ("42917368", "42 91 73 68"))
SMS_BODY = _canary("SMS text", "Zqxsmsbody")
OPT_OUT_PHONE = Canary("opted-out phone", "+4553826174", ("53826174", "53 82 61 74"))
INVITED_EMAIL = Canary("invited email", "zqxinvited@kanarie.example", ("zqxinvited",))
COURIER_NAME = _canary("courier name", "Zqxcouriername")
COURIER_EMAIL = Canary("courier email", "zqxcourier@kanarie.example", ("zqxcourier",))
API_KEY_NAME = _canary("API key name", "Zqxkeyname")
ENDPOINT_URL = Canary(
    "web hook URL", "https://zqxhookhost.example/hooks/budstikke", ("zqxhookhost",)
)
ENDPOINT_DESCRIPTION = _canary("web hook description", "Zqxhookdesc")
INVOICE_TEXT = _canary("invoice line text", "Zqxinvoiceline")
CSV_RECIPIENT = _canary("CSV recipient", "Zqxcsvrecip")
CONFLICT_VALUE = _canary("conflict value", "Zqxconflictval")
ECONOMIC_TOKEN = Canary("e-conomic grant token", "zqxgranttoken-9f3a7c", ("zqxgranttoken",))
ECONOMIC_COMPANY = _canary("e-conomic company", "Zqxecocompany")
FIELD_LABEL = _canary("custom field label", "Zqxfieldlabel")
ZONE_NAME = _canary("price zone", "Zqxzonename")

# Tenant A's own staff may see colleagues; everyone else may not.
STAFF = (COURIER_NAME, COURIER_EMAIL)


@dataclass
class World:
    """Tenant A's objects, by the kind a URL parameter names."""

    personas: Personas
    kinds: dict[str, Any]
    canaries: list[Canary]
    secrets: list[Canary] = field(default_factory=list)

    def value(self, kind: str) -> Any:
        return self.kinds[kind]

    def leaks(self, response: Any, *, staff_may_see: bool = False) -> list[str]:
        """Labels of canaries found in the response's body or headers."""
        text = body_of(response).decode("utf-8", errors="replace")
        headers = "\n".join(f"{k}: {v}" for k, v in response.items())
        haystack = f"{headers}\n{text}"
        lowered = haystack.lower()
        found = []
        for canary in [*self.canaries, *self.secrets]:
            if staff_may_see and canary in STAFF:
                continue
            if any(token.lower() in lowered for token in canary.tokens) or any(
                form in haystack for form in canary.forms()
            ):
                found.append(canary.label)
        return found


def body_of(response: Any) -> bytes:
    """The body, read once: a streaming response (CSV exports) can be iterated only once."""
    cached: bytes | None = getattr(response, "_swept_body", None)
    if cached is None:
        streaming = getattr(response, "streaming", False)
        cached = b"".join(response.streaming_content) if streaming else response.content
        response._swept_body = cached
    return cached


def build_world(p: Personas) -> World:
    """Tenant A with canary data in customers, contacts, shipments (parcels, events, proof of
    delivery), assignments, SMS, opt-outs, invitations, API keys, web hooks, invoices, CSV
    imports, e-conomic (connection, conflict), price data; plus platform objects an operator
    owns (a ban, an allow-list entry, a pinned country)."""
    from allauth.mfa.models import Authenticator

    from budstikke.accounts.models import User
    from budstikke.api.actions import create_api_key
    from budstikke.billing.models import BillingRun, Invoice
    from budstikke.core import clock
    from budstikke.customers.actions import create_customer, define_custom_field
    from budstikke.customers.models import Customer
    from budstikke.dispatch import actions as dispatch_actions
    from budstikke.dispatch.proof import Photo
    from budstikke.dispatch.testing import jpeg, png
    from budstikke.economic.actions import store_grant
    from budstikke.economic.models import Conflict
    from budstikke.notify.actions import opt_out, queue_sms
    from budstikke.shield.models import AllowEntry, Ban, CountryPolicy
    from budstikke.shipments import actions as shipment_actions
    from budstikke.shipments import csvimport
    from budstikke.shipments.models import PriceRule, PriceSurcharge, PriceZone, TrackingEvent
    from budstikke.shipments.testing import draft
    from budstikke.tenants.actions import ensure_membership, invite
    from budstikke.tenants.models import Role
    from budstikke.webhooks.actions import create_endpoint
    from budstikke.webhooks.models import EventType

    tenant = p.tenant_a
    dag = User.objects.create_user(
        COURIER_EMAIL.value, "correct horse battery staple 7", full_name=COURIER_NAME.value
    )
    dag_membership = ensure_membership(tenant=tenant, user=dag, role=Role.COURIER)

    definition = define_custom_field(
        tenant=tenant, key="gate_code", label=FIELD_LABEL.value, kind="text", required=False
    )
    customer = create_customer(
        tenant=tenant,
        name=CUSTOMER_NAME.value,
        address=CUSTOMER_ADDRESS.value,
        zip="8000",
        city=CUSTOMER_CITY.value,
        country="DK",
        email=CUSTOMER_EMAIL.value,
        mobile_phone=CUSTOMER_PHONE.value,
        cvr=CUSTOMER_CVR.value,
        website=CUSTOMER_WEBSITE.value,
        notes=CUSTOMER_NOTES.value,
        contact_persons=[
            {"name": CONTACT_NAME.value, "email": CONTACT_EMAIL.value, "phone": "", "role": ""}
        ],
        pickup_addresses=[
            {
                "label": PICKUP_LABEL.value,
                "name": PICKUP_LABEL.value,
                "address": PICKUP_ADDRESS.value,
                "zip": "8000",
                "city": CUSTOMER_CITY.value,
                "country": "DK",
            }
        ],
        custom_fields={"gate_code": CUSTOM_VALUE.value},
    )
    # As the e-conomic sync would number it (the API and CSV name customers by number).
    Customer.objects.for_tenant(tenant).filter(pk=customer.pk).update(customer_number=4711)
    customer.refresh_from_db()

    def a_shipment() -> Any:
        return shipment_actions.create_shipment(
            tenant,
            draft(
                customer,
                recipient_name=RECIPIENT_NAME.value,
                recipient_phone=RECIPIENT_PHONE.value,
                recipient_email=RECIPIENT_EMAIL.value,
                delivery_address=DELIVERY_ADDRESS.value,
                delivery_city=DELIVERY_CITY.value,
                pickup_name=PICKUP_LABEL.value,
                pickup_address=PICKUP_ADDRESS.value,
                pickup_city=CUSTOMER_CITY.value,
                notes=SHIPMENT_NOTES.value,
                reference=REFERENCE.value,
            ),
            source="web",
            actor="test",
        )

    position = {"lat": 55.917364, "lon": 12.483917, "accuracy": 8.0}
    # Open: assigned to Dag, picked up with a note and a position, not yet delivered.
    shipment = a_shipment()
    dispatch_actions.assign([shipment], dag_membership, by=p.bob)
    dispatch_actions.report_stop(
        shipment,
        dag_membership,
        submission_id=uuid.uuid4(),
        action="picked_up",
        note=EVENT_NOTE.value,
        position=position,
    )
    shipment.refresh_from_db()
    # Delivered by Dag with proof of delivery: name, signature, photo, position.
    delivered = a_shipment()
    dispatch_actions.assign([delivered], dag_membership, by=p.bob)
    for action in ("picked_up", "out_for_delivery"):
        dispatch_actions.report_stop(
            delivered, dag_membership, submission_id=uuid.uuid4(), action=action
        )
    stop_update, _new = dispatch_actions.report_stop(
        delivered,
        dag_membership,
        submission_id=uuid.uuid4(),
        action="delivered",
        recipient_name=RECEIVED_BY.value,
        signature=png(),
        photo=Photo(jpeg(), "image/jpeg"),
        position=position,
        note=EVENT_NOTE.value,
    )
    delivered.refresh_from_db()
    assert TrackingEvent.objects.for_tenant(tenant).filter(shipment=delivered).count() >= 4

    queue_sms(tenant=tenant, phone=SMS_PHONE.value, body=SMS_BODY.value, event="", language="da")
    opt_out(tenant=tenant, phone=OPT_OUT_PHONE.value)
    invitation = invite(
        tenant=tenant, email=INVITED_EMAIL.value, role=Role.DISPATCHER, invited_by=p.alice
    )
    api_key, api_secret = create_api_key(
        tenant=tenant,
        name=API_KEY_NAME.value,
        scopes=["shipments:read", "shipments:write", "customers:read"],
        created_by=p.alice,
    )
    endpoint, endpoint_secret = create_endpoint(
        tenant,
        url=ENDPOINT_URL.value,
        events=[EventType.CREATED],
        description=ENDPOINT_DESCRIPTION.value,
        by=p.alice,
    )
    run = BillingRun.objects.create(
        tenant=tenant, cutoff=clock.now(), trigger=BillingRun.Trigger.MANUAL
    )
    invoice = Invoice.objects.create(
        tenant=tenant,
        run=run,
        customer=customer,
        reference=f"budstikke-{uuid.uuid4().hex[:12]}",
        body={
            "recipient": {"name": CUSTOMER_NAME.value},
            "lines": [{"description": INVOICE_TEXT.value}],
        },
        currency="DKK",
        total=Decimal("99"),
        shipment_count=1,
        status=Invoice.Status.FAILED,
        last_error="e-conomic refused the draft",
    )
    csv_text = (
        "customer_number;recipient_name;delivery_address;delivery_postcode;delivery_city\r\n"
        f"4711;{CSV_RECIPIENT.value};Vestergade 2;8000;Aarhus C\r\n"
    )
    csv_import, _preview = csvimport.upload(tenant, csv_text.encode(), user=p.alice)
    connection = store_grant(
        tenant, ECONOMIC_TOKEN.value, agreement_number=9000001, company_name=ECONOMIC_COMPANY.value
    )
    conflict = Conflict.objects.create(
        tenant=tenant,
        customer=customer,
        field="city",
        winner="economic",
        reason="both",
        values={"base": "Odense", "economic": CONFLICT_VALUE.value, "budstikke": "Vejle"},
    )
    zone = PriceZone.objects.create(tenant=tenant, name=ZONE_NAME.value, postcodes="9000-9999")
    rule = PriceRule.objects.create(tenant=tenant, zone=zone, price=Decimal("49"))
    surcharge = PriceSurcharge.objects.create(
        tenant=tenant, kind=PriceSurcharge.Kind.ALWAYS, label="Brændstof", percent=5
    )

    ban = Ban.objects.create(
        network="203.0.113.77",
        scenario="manual",
        reason="sweep",
        origin=Ban.Origin.MANUAL,
        expires_at=clock.now() + timedelta(hours=1),
    )
    allow_entry = AllowEntry.objects.create(network="198.51.100.0/24", note="office", tenant=tenant)
    CountryPolicy.objects.create(country="KP", restricted=True, pinned=True)
    authenticator = Authenticator.objects.filter(user=p.alice).first()
    if authenticator is None:
        from budstikke.accounts.testing import enroll_totp

        enroll_totp(p.alice)
        authenticator = Authenticator.objects.filter(user=p.alice).first()
    assert authenticator is not None

    kinds: dict[str, Any] = {
        "membership": dag_membership.pk,
        "invitation": invitation.pk,
        "invitation_token": "zz-not-the-token",
        "api_key": api_key.pk,
        "definition": definition.pk,
        "customer": customer.pk,
        "conflict": conflict.pk,
        "hook_id": connection.hook_id,
        "hook_secret": "zz-not-the-secret",
        "shipment": shipment.pk,
        "delivered_shipment": delivered.pk,
        "stop_update": stop_update.pk,
        "csv_import": csv_import.pk,
        "zone": zone.pk,
        "rule": rule.pk,
        "surcharge": surcharge.pk,
        "endpoint": endpoint.pk,
        "invoice": invoice.pk,
        "tracking_number": shipment.tracking_number,
        "ban": ban.pk,
        "allow_entry": allow_entry.pk,
        "country": "KP",
        "authenticator": authenticator.pk,
        "alice_uidb36": _base36(p.alice.pk),
        "reset_key": "set-password",
        "path": "zz-nowhere",
        "tenant_a": tenant.pk,
        # Operator routes refuse everyone else before any lookup: any id will do.
        "any_id": 1,
        "any_slug": "notified",
    }
    canaries = [value for value in globals().values() if isinstance(value, Canary)]
    secrets = [
        Canary("tenant A's API key", api_secret, (api_secret,)),
        Canary("tenant A's web hook secret", endpoint_secret, (endpoint_secret,)),
        Canary(
            "tenant A's e-conomic hook secret",
            connection.hook_secret or "",
            (connection.hook_secret or "",),
        ),
    ]
    return World(personas=p, kinds=kinds, canaries=canaries, secrets=secrets)


def _base36(number: int) -> str:
    from django.utils.http import int_to_base36

    return int_to_base36(number)


def snapshot(p: Personas) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of tenant A in every model with a tenant, plus A's tenant row and its
    members' accounts: what an outsider's request must not change. Security events are left
    out: recording the outsider's attempt is their purpose."""
    from django.apps import apps

    from budstikke.accounts.models import User
    from budstikke.shield.models import SecurityEvent
    from budstikke.tenants.models import Membership, Tenant

    state: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models():
        if model is SecurityEvent:
            continue
        tenant_field = next(
            (
                f
                for f in model._meta.concrete_fields
                if f.name == "tenant" and isinstance(f, models.ForeignKey)
            ),
            None,
        )
        if tenant_field is None or tenant_field.related_model is not Tenant:
            continue
        manager = model._default_manager
        queryset = (
            manager.dangerously_unscoped()
            if hasattr(manager, "dangerously_unscoped")
            else manager.all()
        )
        names = [f.attname for f in model._meta.concrete_fields]
        state[model._meta.label] = sorted(
            (tuple(row) for row in queryset.filter(tenant=p.tenant_a).values_list(*names)),
            key=repr,
        )
    state["tenant"] = [tuple(Tenant.objects.values().get(pk=p.tenant_a.pk).items())]
    members = Membership.objects.filter(tenant=p.tenant_a).values_list("user_id", flat=True)
    user_fields = [f.attname for f in User._meta.concrete_fields if f.name != "last_login"]
    state["users"] = sorted(
        User.objects.filter(pk__in=list(members)).values_list(*user_fields), key=repr
    )
    return state
