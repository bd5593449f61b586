"""The issue's done-when: create data, back up, delete a tenant's shipments, restore-tenant:
the shipments are back, and another tenant's rows changed after the backup are untouched."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from budstikke.backups import actions
from budstikke.shipments.models import Parcel, Shipment, TrackingEvent
from budstikke.shipments.testing import make_shipment
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db(transaction=True)


def test_deleted_shipments_come_back_and_the_other_tenant_keeps_its_changes(
    personas: Personas, backup_dirs: Path
) -> None:
    a, b = personas.tenant_a, personas.tenant_b
    first = make_shipment(a, recipient_name="Anna Agersø")
    second = make_shipment(a, first.customer, recipient_name="Bent Brask")
    other = make_shipment(b, recipient_name="Carla Cortzen")
    a_events = TrackingEvent.objects.for_tenant(a).count()
    run = actions.create_backup()

    Shipment.objects.for_tenant(a).delete()
    Shipment.objects.for_tenant(b).filter(pk=other.pk).update(reference="B-CHANGED-LATER")
    later = make_shipment(b, other.customer, recipient_name="Dorte Dahl")
    assert not Parcel.objects.for_tenant(a).exists()

    call_command("backup", "restore-tenant", run.backup_id, "--tenant", a.slug, stdout=StringIO())

    restored = {s.pk: s for s in Shipment.objects.for_tenant(a)}
    assert set(restored) == {first.pk, second.pk}
    assert restored[first.pk].recipient_name == "Anna Agersø"
    assert Parcel.objects.for_tenant(a).filter(shipment_id=first.pk).exists()
    assert TrackingEvent.objects.for_tenant(a).count() == a_events
    assert Shipment.objects.for_tenant(b).get(pk=other.pk).reference == "B-CHANGED-LATER"
    assert Shipment.objects.for_tenant(b).filter(pk=later.pk).exists()
