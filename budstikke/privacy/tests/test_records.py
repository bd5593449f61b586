"""The record of processing (Art. 30(2)) is generated from the retention registry, the
sub-processor list and the settings the system runs with, as a page and as a PDF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from budstikke.privacy import records, registry, subprocessors
from budstikke.privacy.subprocessors import SubProcessorData
from budstikke.tenants.models import DataProcessingAgreement, DpaAcceptance, Tenant
from budstikke.tenants.testing import Personas, outsider_test

pytestmark = pytest.mark.django_db

needs_pdftotext = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils is installed by `make setup`"
)


@pytest.fixture
def subs(db: None) -> None:
    subprocessors.add(
        SubProcessorData(
            name="Hetzner Online GmbH",
            purpose="Hosting of the servers",
            location="Germany (EU)",
            transfer_basis="EU/EEA, no transfer",
            data_categories="all data of the platform",
        )
    )
    subprocessors.add(
        SubProcessorData(
            name="GatewayAPI ApS",
            purpose="Delivery of SMS to recipients",
            location="Denmark (EU)",
            transfer_basis="EU/EEA, no transfer",
            data_categories="phone numbers, message text",
        )
    )


def _text(pdf: bytes, tmp_path: Path) -> str:
    source = tmp_path / "record.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", str(source), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return " ".join(result.stdout.split())


def _periods() -> set[str]:
    return {rule.period_text for rule in registry.rules()}


def test_the_page_states_the_registry_the_subprocessors_and_the_measures(
    alice_client: Client, personas: Personas, subs: None, settings: Any
) -> None:
    settings.BACKUP_TIMES = [(3, 15), (15, 45)]
    page = alice_client.get(reverse("privacy:records")).content.decode()

    assert "Record of processing for Alfa Kurer" in page
    assert "Beta Bud" not in page
    assert "Alice Andersen &lt;alice@alfa.example&gt;" in page  # the controller's contact
    rules = registry.rules()
    assert rules
    for rule in rules:
        assert str(rule.period_text) in page
    assert "8 years" in page
    assert "90 days" in page
    assert "5 years" in page
    assert "Hetzner Online GmbH" in page
    assert "GatewayAPI ApS" in page
    assert "AES-256-GCM" in page
    assert "03:15, 15:45" in page  # backup times come from the settings
    assert "TLS 1.2, TLS 1.3" in page
    assert "+45" in page  # the SMS allow-list from the database


def test_a_removed_subprocessor_leaves_the_record(
    alice_client: Client, personas: Personas, subs: None
) -> None:
    sub = subprocessors.current().get(name="GatewayAPI ApS")
    subprocessors.remove(sub)
    page = alice_client.get(reverse("privacy:records")).content.decode()
    section = page.split("6. Sub-processors", 1)[1].split("7. Technical", 1)[0]
    assert "GatewayAPI ApS" not in section
    assert "Hetzner Online GmbH" in section


@needs_pdftotext
def test_the_pdf_contains_the_retention_periods_and_the_subprocessors(
    alice_client: Client, personas: Personas, subs: None, tmp_path: Path
) -> None:
    response = alice_client.get(reverse("privacy:records-pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "record-of-processing-alfa-kurer.pdf" in response["Content-Disposition"]
    text = _text(response.content, tmp_path)

    assert "Record of processing for Alfa Kurer" in text
    for period in _periods():
        assert str(period) in text, period
    assert "Hetzner Online GmbH" in text
    assert "GatewayAPI ApS" in text
    assert "AES-256-GCM" in text
    assert "Beta Bud" not in text


@needs_pdftotext
def test_the_operators_record_names_every_controller_and_no_person(
    olga_client: Client, personas: Personas, subs: None, tmp_path: Path
) -> None:
    agreement = DataProcessingAgreement.objects.create(version="2026-1")
    DpaAcceptance.objects.create(
        tenant=personas.tenant_a, agreement=agreement, user=personas.alice, ip="198.51.100.7"
    )
    Tenant.objects.create(name="Purged Pakker", slug="purged", status=Tenant.Status.PURGED)
    page = olga_client.get(reverse("privacy-ops:records")).content.decode()
    pdf = _text(olga_client.get(reverse("privacy-ops:records-pdf")).content, tmp_path)

    for shown in (page, pdf):
        assert "Alfa Kurer" in shown
        assert "Beta Bud" in shown
        assert "Purged Pakker" not in shown
        assert "2026-1" in shown
        assert "Hetzner Online GmbH" in shown
        for personal in ("Alice Andersen", "alice@alfa.example", "charlie@beta.example"):
            assert personal not in shown
    for period in _periods():
        assert str(period) in pdf


def test_the_record_of_a_company_has_its_categories_of_data(personas: Personas) -> None:
    record = records.for_controller(personas.tenant_a)
    assert record.categories
    assert any("phone" in category for category in record.categories)
    assert len(record.retention) == len(registry.rules())


def test_a_dispatcher_gets_no_record(bob_client: Client, personas: Personas) -> None:
    assert bob_client.get(reverse("privacy:records")).status_code == 403
    assert bob_client.get(reverse("privacy:records-pdf")).status_code == 403


@outsider_test("privacy:records", "privacy:records-pdf")
def test_an_outsiders_record_is_about_their_own_company(
    charlie_client: Client, personas: Personas, tmp_path: Path
) -> None:
    page = charlie_client.get(reverse("privacy:records")).content.decode()
    assert "Record of processing for Beta Bud" in page
    assert "Alfa Kurer" not in page
    assert "alice@alfa.example" not in page
    pdf = charlie_client.get(reverse("privacy:records-pdf"))
    assert "beta-bud" in pdf["Content-Disposition"]
    if shutil.which("pdftotext"):
        text = _text(pdf.content, tmp_path)
        assert "Beta Bud" in text
        assert "Alfa Kurer" not in text
