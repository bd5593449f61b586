"""The tenant admin's retention page shows the rules and their own purge counts only; the
operator's purge report shows counts and company names, never personal data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from budstikke.core.clock import ClockControl
from budstikke.privacy import purge
from budstikke.privacy.models import PurgeCount, PurgeRun
from budstikke.shipments.actions import cancel
from budstikke.shipments.testing import make_shipment
from budstikke.tenants.testing import Personas, log_in, outsider_test

pytestmark = pytest.mark.django_db

URL = "/tenant/privacy/retention/"
OPS_URL = "/ops/privacy/purge/"


def _run_with_counts(personas: Personas) -> PurgeRun:
    run = PurgeRun.objects.create(finished_at=datetime(2026, 11, 24, 3, 31, tzinfo=UTC))
    PurgeCount.objects.create(
        run=run, tenant=personas.tenant_a, rule="shipments.shipment", action="delete", count=417
    )
    PurgeCount.objects.create(
        run=run, tenant=personas.tenant_b, rule="shipments.shipment", action="delete", count=9053
    )
    PurgeCount.objects.create(
        run=run, tenant=None, rule="shield.securityevent", action="delete", count=2718
    )
    return run


def test_alice_sees_the_rules_and_her_counts_not_charlies(
    personas: Personas, alice_client: Client
) -> None:
    _run_with_counts(personas)
    page = alice_client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "8 years" in text
    assert "after delivery, return or cancellation" in text
    assert "Danish Bookkeeping Act" in text
    assert "417" in text
    assert "9053" not in text
    assert "2718" not in text  # the platform's own rows are not hers


@outsider_test("privacy:retention")
def test_charlie_sees_only_his_own_counts(
    personas: Personas, charlie_client: Client, client: Client
) -> None:
    _run_with_counts(personas)
    text = charlie_client.get(URL).content.decode()
    assert "9053" in text
    assert "417" not in text
    assert "Alfa Kurer" not in text
    assert client.get(URL).status_code == 302  # signed out: to the login page


def test_the_page_is_for_admins(bob_client: Client, carl_client: Client) -> None:
    assert bob_client.get(URL).status_code == 403
    assert carl_client.get(URL).status_code == 403


def test_olga_sees_counts_and_company_names_but_no_personal_data(
    personas: Personas, client: Client, clock: type[ClockControl]
) -> None:
    clock.freeze(datetime(2026, 3, 10, 10, 0, tzinfo=UTC))
    shipment = make_shipment(personas.tenant_a, recipient_name="Mette Hemmelig-Mogensen")
    cancel(shipment, actor="test")
    clock.advance(timedelta(days=8 * 366))
    purge.run()
    purge.run(dry_run=True)
    olga = log_in(client, personas.olga)  # signed in after time moved
    page = olga.get(OPS_URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Alfa Kurer: 1" in text
    assert "dry run" in text
    assert "Mette" not in text
    assert shipment.tracking_number not in text
    assert "alice@alfa.example" not in text


def test_the_operator_page_is_for_operators_only(alice_client: Client, client: Client) -> None:
    assert alice_client.get(OPS_URL).status_code == 404
    assert client.get(OPS_URL).status_code == 302
