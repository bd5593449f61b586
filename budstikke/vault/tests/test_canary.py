"""Personal data never reaches the database in any readable form (ARCHITECTURE invariant 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from budstikke.tenants.models import Tenant
from budstikke.vault.tests.dumps import database_bytes, leaks
from tests.specimens.models import Contact, Note

CANARIES = {
    "alice": {
        "name": "Kanariefugl Alfa Ørnebjerg",
        "email": "kanarie.alfa@canary-mail.example",
        "phone": "+45 61 23 45 97",
        "cvr": "DK 31 41 59 26",
        "notes": "Nøglen ligger under kanariepotten ved bagdøren",
        "street": "Kanarievej 1717, 9990 Skagen",
        "signature": "SIGNATUR-KANARIE-ALFA",
        "note": "Alfa kanariens hemmelige note",
    },
    "bob": {
        "name": "Kanariefugl Bravo Åkjær",
        "email": "kanarie.bravo@canary-mail.example",
        "phone": "+45 71 98 76 53",
        "cvr": "DK 27 18 28 18",
        "notes": "Porten kode 4711-kanarie",
        "street": "Bravogade 2323, 6700 Esbjerg",
        "signature": "SIGNATUR-KANARIE-BRAVO",
        "note": "Bravo kanariens hemmelige note",
    },
}


@pytest.mark.django_db(transaction=True)
def test_no_canary_appears_in_the_raw_database(
    database_file: Path | None, alice_co: Tenant, bob_co: Tenant
) -> None:
    for tenant, values in ((alice_co, CANARIES["alice"]), (bob_co, CANARIES["bob"])):
        contact = Contact.objects.create(
            tenant=tenant,
            name=values["name"],
            email=values["email"],
            phone=values["phone"],
            cvr=values["cvr"],
            notes=values["notes"],
            address={"street": values["street"]},
            signature=values["signature"].encode(),
            reference=f"visible-reference-{tenant.slug}",
        )
        contact.notes = values["notes"] + " (opdateret)"
        contact.save()
        Note.objects.create(tenant=tenant, body=values["note"])

    dump = database_bytes(database_file)

    # The scan does see the database: an unencrypted column is found.
    assert leaks(dump, "visible-reference-alice")
    for values in CANARIES.values():
        for canary in values.values():
            assert leaks(dump, canary) == [], canary
        assert leaks(dump, values["phone"].replace(" ", "")) == []
    # And the data is still there for its tenant.
    assert Contact.objects.for_tenant(alice_co).get().name == CANARIES["alice"]["name"]
