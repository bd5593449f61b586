"""Seed a fault test's private installation from a separate process.

Run as `python -m tests.faults.seeding` with the installation's environment (DATABASE_URL,
BUDSTIKKE_DATA_DIR, BUDSTIKKE_KEYS_DIR); prints one JSON object with what the test needs:
a tracking number, an API key, and (with `--webhook URL`) a web hook endpoint.
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--webhook", help="a web hook endpoint at this URL")
    parser.add_argument("--shipments", type=int, default=1)
    parser.add_argument("--ban", help="an operator's ban of this address")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "budstikke.settings")
    import django

    django.setup()
    from budstikke.api.actions import create_api_key
    from budstikke.customers.models import Customer
    from budstikke.shipments.testing import make_customer, make_shipment
    from budstikke.tenants.models import Tenant
    from budstikke.webhooks import actions as webhook_actions
    from budstikke.webhooks.models import EventType

    tenant, _created = Tenant.objects.get_or_create(
        slug="fault-kurer", defaults={"name": "Fault Kurer"}
    )
    customer = Customer.objects.for_tenant(tenant).filter(customer_number=1001).first()
    if customer is None:
        customer = make_customer(tenant, customer_number=1001)
    endpoint_id = None
    if options.webhook:
        endpoint, _secret = webhook_actions.create_endpoint(
            tenant, url=options.webhook, events=[EventType.CREATED], by=None
        )
        endpoint_id = endpoint.pk
    numbers = [make_shipment(tenant, customer).tracking_number for _ in range(options.shipments)]
    if options.ban:
        from budstikke.shield.actions import manual_ban

        manual_ban(options.ban, 1, "fault test", None)
    _key, secret = create_api_key(
        tenant=tenant,
        name="faults",
        scopes=["shipments:read", "shipments:write"],
        created_by=None,
    )
    json.dump(
        {
            "tenant_id": tenant.pk,
            "customer_number": customer.customer_number,
            "tracking_numbers": numbers,
            "api_key": secret,
            "endpoint_id": endpoint_id,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
