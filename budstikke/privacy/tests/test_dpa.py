"""Versions of the data-processing agreement and the evidence of acceptance, seen by both
sides: the tenant sees who of its people accepted; the operator sees company and date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from budstikke.core.clock import ClockControl
from budstikke.tenants.models import DataProcessingAgreement, DpaAcceptance
from budstikke.tenants.testing import Personas, outsider_test

pytestmark = pytest.mark.django_db

START = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def signed_up(personas: Personas, clock: type[ClockControl]) -> DataProcessingAgreement:
    """Both companies accepted version 2026-1 at signup, Alfa by Alice."""
    clock.freeze(START)
    first = DataProcessingAgreement.objects.create(
        version="2026-1", text="The first agreement.", effective_from=START - timedelta(days=30)
    )
    DpaAcceptance.objects.create(
        tenant=personas.tenant_a, agreement=first, user=personas.alice, ip="198.51.100.7"
    )
    DpaAcceptance.objects.create(
        tenant=personas.tenant_b, agreement=first, user=personas.charlie, ip="198.51.100.8"
    )
    return first


def _publish(olga_client: Client, version: str = "2026-2", **extra: str) -> None:
    response = olga_client.post(
        reverse("privacy-ops:dpa-publish"),
        {
            "version": version,
            "effective_from": "2026-03-01T00:00",
            "text": "Clause 1. The processor processes only on documented instructions.",
            "changes": "New sub-processor clause.",
        }
        | extra,
    )
    assert response.status_code == 302, response.content.decode()


def test_the_operator_publishes_a_version_and_the_admin_sees_every_version(
    olga_client: Client, alice_client: Client, signed_up: DataProcessingAgreement
) -> None:
    _publish(olga_client)
    page = alice_client.get(reverse("privacy:dpa")).content.decode()
    assert "Version 2026-1" in page
    assert "Version 2026-2" in page
    assert "New sub-processor clause." in page
    assert "Clause 1. The processor processes only on documented instructions." in page
    # Which one the company accepted, when and by whom (their own staff).
    assert "by Alice Andersen on" in page
    assert "198.51.100.7" in page
    assert "Accept version 2026-2 for Alfa Kurer" in page
    assert "Accept version 2026-1" not in page


def test_publishing_a_version_twice_is_a_field_error(
    olga_client: Client, signed_up: DataProcessingAgreement
) -> None:
    response = olga_client.post(
        reverse("privacy-ops:dpa-publish"),
        {"version": "2026-1", "effective_from": "2026-03-01T00:00", "text": "x", "changes": ""},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert DataProcessingAgreement.objects.count() == 1


def test_accepting_a_newer_version_is_recorded_with_ip_and_time(
    olga_client: Client,
    alice_client: Client,
    personas: Personas,
    signed_up: DataProcessingAgreement,
    clock: type[ClockControl],
) -> None:
    _publish(olga_client)
    newer = DataProcessingAgreement.objects.get(version="2026-2")
    clock.freeze(START + timedelta(days=40))

    page = alice_client.post(
        reverse("privacy:dpa-accept"),
        {"agreement": newer.pk},
        REMOTE_ADDR="203.0.113.50",
        follow=True,
    ).content.decode()

    assert "Your company has accepted version 2026-2 of the agreement." in page
    acceptance = DpaAcceptance.objects.get(tenant=personas.tenant_a, agreement=newer)
    assert acceptance.user == personas.alice
    assert acceptance.ip == "203.0.113.50"
    assert acceptance.accepted_at == START + timedelta(days=40)
    assert "Accept version 2026-2" not in page
    # Once accepted, again is refused; so is going back to the older version.
    again = alice_client.post(
        reverse("privacy:dpa-accept"), {"agreement": newer.pk}, follow=True
    ).content.decode()
    assert "Your company has already accepted this version." in again
    assert DpaAcceptance.objects.filter(tenant=personas.tenant_a).count() == 2


def test_an_older_version_cannot_be_accepted_after_a_newer_one(
    olga_client: Client, alice_client: Client, personas: Personas, clock: type[ClockControl]
) -> None:
    clock.freeze(START)
    old = DataProcessingAgreement.objects.create(
        version="2025-1", effective_from=START - timedelta(days=400)
    )
    new = DataProcessingAgreement.objects.create(
        version="2026-1", effective_from=START - timedelta(days=10)
    )
    DpaAcceptance.objects.create(tenant=personas.tenant_a, agreement=new, user=personas.alice)
    page = alice_client.post(
        reverse("privacy:dpa-accept"), {"agreement": old.pk}, follow=True
    ).content.decode()
    assert "Your company has already accepted a newer version (2026-1)." in page
    assert not DpaAcceptance.objects.filter(agreement=old).exists()


def test_the_operator_sees_companies_and_dates_but_not_the_person(
    olga_client: Client,
    alice_client: Client,
    signed_up: DataProcessingAgreement,
) -> None:
    _publish(olga_client)
    newer = DataProcessingAgreement.objects.get(version="2026-2")
    alice_client.post(reverse("privacy:dpa-accept"), {"agreement": newer.pk})

    page = olga_client.get(reverse("privacy-ops:dpa")).content.decode()
    assert "Accepted by 2 companies." in page  # 2026-1: Alfa and Beta
    assert "Accepted by 1 company." in page  # 2026-2: Alfa
    assert "Alfa Kurer" in page
    assert "Beta Bud" in page
    for personal in ("Alice Andersen", "alice@alfa.example", "Charlie", "198.51.100.7"):
        assert personal not in page


def test_a_dispatcher_cannot_see_or_accept_the_agreement(
    bob_client: Client, personas: Personas, signed_up: DataProcessingAgreement
) -> None:
    assert bob_client.get(reverse("privacy:dpa")).status_code == 403
    newer = DataProcessingAgreement.objects.create(version="2026-9", effective_from=START)
    response = bob_client.post(reverse("privacy:dpa-accept"), {"agreement": newer.pk})
    assert response.status_code == 403
    assert not DpaAcceptance.objects.filter(agreement=newer).exists()


@outsider_test("privacy:dpa", "privacy:dpa-accept")
def test_an_outsider_sees_and_accepts_only_for_their_own_company(
    olga_client: Client,
    charlie_client: Client,
    personas: Personas,
    signed_up: DataProcessingAgreement,
) -> None:
    page = charlie_client.get(reverse("privacy:dpa")).content.decode()
    assert "Alice Andersen" not in page
    assert "198.51.100.7" not in page
    assert "by Charlie Clausen on" in page
    _publish(olga_client)
    newer = DataProcessingAgreement.objects.get(version="2026-2")
    charlie_client.post(reverse("privacy:dpa-accept"), {"agreement": newer.pk})
    assert list(DpaAcceptance.objects.filter(agreement=newer).values_list("tenant", flat=True)) == [
        personas.tenant_b.pk
    ]


def test_a_missing_version_is_a_message_not_a_500(
    alice_client: Client, signed_up: DataProcessingAgreement
) -> None:
    page = alice_client.post(
        reverse("privacy:dpa-accept"), {"agreement": 987654}, follow=True
    ).content.decode()
    assert "Choose a version of the agreement to accept." in page
