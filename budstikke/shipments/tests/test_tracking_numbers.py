from __future__ import annotations

import itertools

from budstikke.shipments import numbers
from budstikke.shipments.testing import make_shipment
from budstikke.tenants.testing import Personas


def test_numbers_carry_the_tenant_prefix_and_a_check_digit(personas: Personas) -> None:
    shipment = make_shipment(personas.tenant_a)
    assert shipment.tracking_number.startswith("ALF")
    assert numbers.is_well_formed(shipment.tracking_number)
    typo = shipment.tracking_number[:-1] + str((int(shipment.tracking_number[-1]) + 1) % 10)
    assert not numbers.is_well_formed(typo)


def test_consecutive_numbers_are_not_sequential(personas: Personas) -> None:
    drawn = [int(numbers.new_tracking_number(personas.tenant_a)[3:-1]) for _ in range(50)]
    gaps = {b - a for a, b in itertools.pairwise(drawn)}
    assert len(set(drawn)) == 50
    assert len(gaps) > 45
    assert min(abs(g) for g in gaps) > 1000


def test_each_parcel_gets_its_own_barcode(personas: Personas) -> None:
    from budstikke.shipments.actions import ParcelDraft

    shipment = make_shipment(personas.tenant_a, parcels=[ParcelDraft(), ParcelDraft()])
    barcodes = list(shipment.parcels.values_list("barcode", flat=True))
    assert barcodes == [f"{shipment.tracking_number}001", f"{shipment.tracking_number}002"]
