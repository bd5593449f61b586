"""A leaving tenant: cancelled by its admin or the operator, a grace period to export, then
no row of it left, its keys destroyed, and a deletion certificate. A backup from before the
purge, restored, gives back nothing readable, and the purge is re-applied."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, models, transaction
from django.test import Client
from django.urls import reverse

from budstikke.accounts.models import User
from budstikke.billing.testing import OUTSIDER_SAMPLES as BILLING_SAMPLES
from budstikke.core.clock import ClockControl
from budstikke.customers.models import Customer
from budstikke.customers.testing import OUTSIDER_SAMPLES as CUSTOMER_SAMPLES
from budstikke.dispatch.testing import OUTSIDER_SAMPLES as DISPATCH_SAMPLES
from budstikke.privacy import offboarding
from budstikke.privacy.models import DeletionCertificate
from budstikke.shipments.testing import OUTSIDER_SAMPLES as SHIPMENT_SAMPLES
from budstikke.tenants.models import LicenceInvoice, Tenant
from budstikke.tenants.testing import Personas, outsider_test, reauthenticate
from budstikke.vault import shredding
from budstikke.vault.errors import TenantKeyDestroyed
from budstikke.webhooks.testing import OUTSIDER_SAMPLES as WEBHOOK_SAMPLES

pytestmark = pytest.mark.django_db

SAMPLES: dict[type[models.Model], Callable[[Personas], models.Model]] = {
    **CUSTOMER_SAMPLES,
    **SHIPMENT_SAMPLES,
    **DISPATCH_SAMPLES,
    **WEBHOOK_SAMPLES,
    **BILLING_SAMPLES,
}
CANARY = "Alfa Canary ApS"  # customers.testing names tenant A's sample customer so


def _fill_tenant_a(p: Personas) -> None:
    for make in SAMPLES.values():
        make(p)


def _rows_of(tenant_id: int) -> dict[str, int]:
    counts = {
        m._meta.label: m._base_manager.filter(tenant_id=tenant_id).count()
        for m in offboarding.tenant_models()
    }
    return {label: n for label, n in counts.items() if n}


def _a_b_customer(p: Personas) -> Customer:
    from budstikke.customers.actions import create_customer

    return create_customer(tenant=p.tenant_b, name="Beta Kunde ApS", email="kunde@beta.example")


def _cancel_as_alice(client: Client, p: Personas, typed: str) -> Any:
    reauthenticate(client, p.alice)
    return client.post(
        reverse("privacy:offboarding"), {"action": "cancel", "confirm": typed}, follow=False
    )


@outsider_test("privacy:offboarding", "privacy:offboarding-export")
def test_outsiders_and_staff_cannot_cancel_or_export(
    personas: Personas, charlie_client: Client, bob_client: Client
) -> None:
    reauthenticate(charlie_client, personas.charlie)
    charlie_client.post(reverse("privacy:offboarding"), {"action": "cancel", "confirm": "alfa"})
    _fill_tenant_a(personas)
    export = charlie_client.get(reverse("privacy:offboarding-export"))
    assert export.status_code == 200  # Charlie's own company's export...
    assert CANARY.encode() not in export.getvalue()  # ...holds nothing of A
    assert bob_client.get(reverse("privacy:offboarding")).status_code == 403
    assert bob_client.get(reverse("privacy:offboarding-export")).status_code == 403
    personas.tenant_a.refresh_from_db()
    assert personas.tenant_a.status == Tenant.Status.ACTIVE
    # Charlie's own company is the one his POST could touch: he typed A's slug, not his.
    personas.tenant_b.refresh_from_db()
    assert personas.tenant_b.status == Tenant.Status.ACTIVE


def test_cancelling_needs_the_companys_short_name(personas: Personas, alice_client: Client) -> None:
    answer = _cancel_as_alice(alice_client, personas, "not-it")

    assert answer.status_code == 200
    assert "short name" in answer.content.decode()
    personas.tenant_a.refresh_from_db()
    assert personas.tenant_a.status == Tenant.Status.ACTIVE


def test_after_cancelling_only_admins_get_in_and_only_to_export_or_withdraw(
    personas: Personas, alice_client: Client, bob_client: Client, clock: type[ClockControl]
) -> None:
    clock.freeze(clock.now())
    answer = _cancel_as_alice(alice_client, personas, personas.tenant_a.slug)

    assert answer.status_code == 302
    tenant = Tenant.objects.get(pk=personas.tenant_a.pk)
    assert tenant.status == Tenant.Status.CANCELLED
    assert tenant.cancelled_by == "admin"
    assert tenant.purge_after == clock.now() + timedelta(days=30)
    (sent,) = mail.outbox
    assert sent.to == [personas.alice.email]
    assert f"{tenant.purge_after:%Y-%m-%d %H:%M} UTC" in sent.body  # in the tenant's language
    # Bob the dispatcher has no company any more; Alice is sent to the offboarding page.
    assert bob_client.get(reverse("shipments:list")).status_code == 404
    page = alice_client.get(reverse("shipments:list"))
    assert page.status_code == 302
    assert page["Location"] == reverse("privacy:offboarding")
    assert "Withdraw the cancellation" in alice_client.get(reverse("privacy:offboarding")).text

    alice_client.post(reverse("privacy:offboarding"), {"action": "withdraw"})

    tenant.refresh_from_db()
    assert tenant.status == Tenant.Status.ACTIVE
    assert tenant.purge_after is None
    assert bob_client.get(reverse("shipments:list")).status_code == 200


def test_the_export_holds_every_record_of_the_company_decrypted(
    personas: Personas, alice_client: Client
) -> None:
    _fill_tenant_a(personas)
    _a_b_customer(personas)
    reauthenticate(alice_client, personas.alice)

    answer = alice_client.get(reverse("privacy:offboarding-export"))

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.getvalue()))
    manifest = json.loads(archive.read("manifest.json"))
    assert {k: v for k, v in manifest["records"].items() if v} == _rows_of(personas.tenant_a.pk)
    customers = archive.read("customers.Customer.jsonl").decode()
    assert CANARY in {json.loads(line)["name"] for line in customers.splitlines()}
    # Encrypted fields are exported decrypted, by name; the sealed record itself is not.
    for name in archive.namelist():
        if name.endswith(".jsonl"):
            lines = archive.read(name).decode().splitlines()
            assert not any("sealed" in json.loads(line) for line in lines), name
    assert "Beta Kunde" not in "".join(archive.read(n).decode() for n in archive.namelist())


def test_the_purge_leaves_no_row_of_the_company_and_destroys_its_keys(
    personas: Personas, clock: type[ClockControl]
) -> None:
    _fill_tenant_a(personas)
    b_customer = _a_b_customer(personas)
    LicenceInvoice.objects.create(
        tenant=personas.tenant_a,
        number="L-2026-1",
        period_start=clock.now().date(),
        period_end=clock.now().date(),
        amount=499,
    )
    before = _rows_of(personas.tenant_a.pk)
    assert len(before) >= 10, before
    offboarding.cancel(personas.tenant_a, by="operator")

    assert offboarding.purge_due_tenants() == []  # the grace period is not over
    clock.advance(timedelta(days=30, minutes=1))
    (certificate,) = offboarding.purge_due_tenants()

    assert _rows_of(personas.tenant_a.pk) == {}
    assert shredding.is_shredded(personas.tenant_a)
    tenant = Tenant.objects.get(pk=personas.tenant_a.pk)
    assert tenant.status == Tenant.Status.PURGED
    # Staff who worked only for A are gone; Charlie (B) and Olga (operator) are not.
    assert not User.objects.filter(pk__in=[personas.alice.pk, personas.bob.pk]).exists()
    assert User.objects.filter(pk__in=[personas.charlie.pk, personas.olga.pk]).count() == 2
    # What stays: the tombstone, the licence invoice (5 years) and the certificate.
    assert LicenceInvoice.objects.filter(tenant=tenant).count() == 1
    assert certificate.rows["customers.Customer"] == before["customers.Customer"]
    assert sum(certificate.rows.values()) >= sum(before.values())
    assert certificate.key_versions_shredded >= 1
    assert certificate.digest == offboarding.certificate_digest(certificate)
    # Tenant B is untouched and readable.
    assert Customer.objects.for_tenant(personas.tenant_b).get(pk=b_customer.pk).name == (
        "Beta Kunde ApS"
    )


def test_the_operator_offboards_at_once_from_the_command_line(personas: Personas) -> None:
    _fill_tenant_a(personas)
    out = io.StringIO()

    call_command("tenant", "offboard", personas.tenant_a.slug, "--now", stdout=out)

    assert "certificate DC-" in out.getvalue()
    assert _rows_of(personas.tenant_a.pk) == {}
    assert DeletionCertificate.objects.filter(tenant=personas.tenant_a).count() == 1


def _snapshot() -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every table's rows: what a backup of the database holds."""
    tables = connection.introspection.django_table_names(only_existing=True)
    taken: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [c[0] for c in cursor.description]
            taken[table] = (columns, cursor.fetchall())
    return taken


def _restore(snapshot: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> None:
    """Put every table back as it was (foreign keys are checked at commit)."""
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table in snapshot:
            cursor.execute(f"DELETE FROM {qn(table)}")  # noqa: S608
        for table, (columns, rows) in snapshot.items():
            if not rows:
                continue
            marks = ", ".join(["%s"] * len(columns))
            names = ", ".join(qn(c) for c in columns)
            cursor.executemany(
                f"INSERT INTO {qn(table)} ({names}) VALUES ({marks})",  # noqa: S608
                rows,
            )


def test_a_backup_from_before_the_purge_restored_gives_back_nothing_readable(
    personas: Personas,
) -> None:
    _fill_tenant_a(personas)
    b_customer = _a_b_customer(personas)
    backup = _snapshot()
    offboarding.cancel(personas.tenant_a, by="operator")
    offboarding.purge(personas.tenant_a, now=True)

    _restore(backup)

    restored = Customer.objects.for_tenant(personas.tenant_a).first()
    assert restored is not None  # the old rows are back, as ciphertext...
    with pytest.raises(TenantKeyDestroyed):
        _ = restored.name  # ...that nobody can read
    (again,) = offboarding.reapply_after_restore()
    assert _rows_of(personas.tenant_a.pk) == {}
    assert Tenant.objects.get(pk=personas.tenant_a.pk).status == Tenant.Status.PURGED
    assert "Re-applied" in again.method
    assert Customer.objects.for_tenant(personas.tenant_b).get(pk=b_customer.pk).name == (
        "Beta Kunde ApS"
    )
    assert offboarding.reapply_after_restore() == []  # nothing left to do the second time


def test_the_operator_ends_a_licence_and_reads_the_certificate_without_personal_data(
    personas: Personas, olga_client: Client
) -> None:
    _fill_tenant_a(personas)
    page = olga_client.post(
        reverse("privacy-ops:end-licence", args=[personas.tenant_a.pk]),
        {"confirm": personas.tenant_a.slug},
    )
    assert page.status_code == 302
    certificate = offboarding.purge(personas.tenant_a, now=True)

    shown = olga_client.get(reverse("privacy-ops:certificate", args=[certificate.pk]))

    assert shown.status_code == 200
    text = shown.content.decode()
    assert certificate.number in text
    assert "matches its content" in text
    assert CANARY not in text
    assert personas.alice.email not in text
    listing = olga_client.get(reverse("privacy-ops:offboarding")).content.decode()
    assert certificate.number in listing


def test_only_operators_reach_the_offboarding_console(
    personas: Personas, alice_client: Client
) -> None:
    assert alice_client.get(reverse("privacy-ops:offboarding")).status_code == 404
    assert (
        alice_client.post(
            reverse("privacy-ops:end-licence", args=[personas.tenant_b.pk]),
            {"confirm": personas.tenant_b.slug},
        ).status_code
        == 404
    )
    personas.tenant_b.refresh_from_db()
    assert personas.tenant_b.status == Tenant.Status.ACTIVE


def test_after_a_postgresql_style_restore_the_operator_re_applies_by_command(
    personas: Personas,
) -> None:
    _fill_tenant_a(personas)
    backup = _snapshot()
    offboarding.cancel(personas.tenant_a, by="operator")
    offboarding.purge(personas.tenant_a, now=True)
    _restore(backup)
    out = io.StringIO()

    call_command("privacy", "after-restore", stdout=out)

    assert "restored rows deleted again" in out.getvalue()
    assert _rows_of(personas.tenant_a.pk) == {}
