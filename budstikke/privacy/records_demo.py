"""Demo data for `manage.py demo`: the agreement in force, accepted by the demo company, and
two sub-processors. Idempotent; writes no notices and queues no email."""

from __future__ import annotations

from django.db import transaction

from budstikke.privacy.models import SubProcessor
from budstikke.tenants.actions import current_agreement
from budstikke.tenants.models import DpaAcceptance, Membership, Role, Tenant

DEMO_TEXT = """Data-processing agreement (GDPR Art. 28)

1. The company using Budstikke is the controller; Budstikke is its processor.
2. Budstikke processes personal data only on the controller's documented instructions.
3. People at Budstikke are bound by confidentiality and see no customer data.
4. Security measures are listed in the record of processing in the product.
5. Sub-processors are listed in the product; changes are announced with a period to object.
6. Budstikke helps the controller answer data-subject requests.
7. Personal-data breaches are reported to the controller without undue delay.
8. When the contract ends, the data is returned (export) and then deleted.
"""

DEMO_SUBPROCESSORS = [
    {
        "name": "Hetzner Online GmbH",
        "purpose": "Hosting of servers and backups",
        "location": "Germany (EU)",
        "transfer_basis": "EU/EEA, no transfer",
        "data_categories": "all data kept in Budstikke (encrypted)",
    },
    {
        "name": "GatewayAPI (OnlineCity ApS)",
        "purpose": "Delivery of text messages to recipients",
        "location": "Denmark (EU)",
        "transfer_basis": "EU/EEA, no transfer",
        "data_categories": "phone numbers, message text",
    },
]


@transaction.atomic
def seed(tenant: Tenant) -> int:
    """Returns the number of sub-processors added (0 when present)."""
    agreement = current_agreement()
    if not agreement.text:
        agreement.text = DEMO_TEXT
        agreement.save(update_fields=["text"])
    if not DpaAcceptance.objects.filter(tenant=tenant, agreement=agreement).exists():
        admin = Membership.objects.for_tenant(tenant).filter(role=Role.ADMIN).first()
        DpaAcceptance.objects.create(
            tenant=tenant, agreement=agreement, user=admin.user if admin else None
        )
    if SubProcessor.objects.exists():
        return 0
    for values in DEMO_SUBPROCESSORS:
        SubProcessor.objects.create(**values)
    return len(DEMO_SUBPROCESSORS)
