from __future__ import annotations

from datetime import timedelta

from budstikke.core import clock as clock_module
from budstikke.shipments import actions
from budstikke.shipments.models import CsvImport
from budstikke.tenants.testing import Personas


def test_uploads_never_imported_are_deleted_after_a_day(personas: Personas) -> None:
    old = CsvImport.objects.create(tenant=personas.tenant_a, content=b"personal rows")
    clock_module.freeze(clock_module.now() + timedelta(hours=23))
    fresh = CsvImport.objects.create(tenant=personas.tenant_a, content=b"more rows")
    clock_module.freeze(clock_module.now() + timedelta(hours=2))
    assert actions.delete_stale_csv_imports() == 1
    remaining = set(CsvImport.objects.for_tenant(personas.tenant_a).values_list("pk", flat=True))
    assert remaining == {fresh.pk}
    assert old.pk not in remaining
