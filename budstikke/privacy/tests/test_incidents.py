"""The incident register: the operator registers, the 72-hour clock of Art. 33 runs until
the authority notification is recorded, affected companies' admins are emailed, and each
tenant admin sees the incidents that concerned their company and no others."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from budstikke.core.clock import ClockControl
from budstikke.privacy import incidents
from budstikke.privacy.incidents import IncidentData
from budstikke.privacy.models import Incident
from budstikke.tenants.models import Tenant
from budstikke.tenants.testing import Personas, outsider_test

pytestmark = pytest.mark.django_db

AWARE = datetime(2026, 4, 6, 8, 0, tzinfo=UTC)


def _breach(*affected: Tenant, title: str = "Lost laptop", breach: bool = True) -> Incident:
    return incidents.open_incident(
        data=IncidentData(
            title=title,
            description="A support laptop was stolen from a car.",
            severity=Incident.Severity.HIGH,
            personal_data_breach=breach,
            data_categories="recipient names and addresses",
            measures="Disk encrypted; sessions revoked.",
            occurred_at=AWARE - timedelta(hours=5),
            aware_at=AWARE,
        ),
        affected=affected,
        created_by=None,
    )


def _clock_cell(page: str, title: str) -> str:
    row = re.search(rf"<tr><td><a [^>]*>{re.escape(title)}</a>.*?</tr>", page, re.S)
    assert row, page
    return row.group(0)


def test_the_operator_registers_an_incident(
    olga_client: Client, personas: Personas, clock: type[ClockControl]
) -> None:
    clock.freeze(AWARE + timedelta(hours=1))
    response = olga_client.post(
        reverse("privacy-ops:incident-add"),
        {
            "title": "Misrouted export",
            "description": "An export was mailed to the wrong address.",
            "severity": "medium",
            "personal_data_breach": "on",
            "data_categories": "customer contact details",
            "measures": "Recipient confirmed deletion.",
            "affected_tenants": [personas.tenant_a.pk],
            "occurred_at": "2026-04-06T09:30",
            "aware_at": "2026-04-06T10:00",
        },
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.personal_data_breach
    assert list(incident.affected_tenants.all()) == [personas.tenant_a]
    # Entered in the installation's zone (Copenhagen, UTC+2 in April).
    assert incident.aware_at == AWARE
    detail = olga_client.get(response["Location"]).content.decode()
    assert "71 h 00 min left to notify the authority" in detail


def test_bad_input_is_shown_per_field(
    olga_client: Client, personas: Personas, clock: type[ClockControl]
) -> None:
    clock.freeze(AWARE)
    response = olga_client.post(
        reverse("privacy-ops:incident-add"),
        {
            "title": "",
            "description": "x",
            "severity": "medium",
            "occurred_at": "2026-04-06T12:00",
            "aware_at": "2026-04-06T11:00",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in page
    assert "An incident cannot occur after we became aware of it." in page
    future = olga_client.post(
        reverse("privacy-ops:incident-add"),
        {"title": "t", "description": "d", "severity": "low", "aware_at": "2027-01-01T00:00"},
    )
    assert "This cannot be in the future." in future.content.decode()
    assert not Incident.objects.exists()


def test_the_clock_counts_down_turns_red_under_24_hours_and_shows_overdue(
    olga_client: Client, personas: Personas, clock: type[ClockControl]
) -> None:
    _breach(personas.tenant_a)
    _breach(personas.tenant_a, title="Noisy scanner", breach=False)
    url = reverse("privacy-ops:incidents")

    clock.freeze(AWARE + timedelta(hours=10))
    cell = _clock_cell(olga_client.get(url).content.decode(), "Lost laptop")
    assert "62 h 00 min left to notify the authority" in cell
    assert "clock-alarm" not in cell

    clock.freeze(AWARE + timedelta(hours=50, minutes=30))
    cell = _clock_cell(olga_client.get(url).content.decode(), "Lost laptop")
    assert "21 h 30 min left" in cell
    assert "clock-alarm" in cell

    clock.freeze(AWARE + timedelta(hours=73, minutes=5))
    page = olga_client.get(url).content.decode()
    cell = _clock_cell(page, "Lost laptop")
    assert "Overdue by 1 h 05 min" in cell
    assert "clock-alarm" in cell
    other = _clock_cell(page, "Noisy scanner")
    assert "Not a personal-data breach" in other
    assert "clock-alarm" not in other
    assert "Overdue" not in other


def test_recording_the_authority_notification_stops_the_clock(
    olga_client: Client, personas: Personas, clock: type[ClockControl]
) -> None:
    incident = _breach(personas.tenant_a)
    clock.freeze(AWARE + timedelta(hours=80))
    step = reverse("privacy-ops:incident-step", args=[incident.pk, "authority"])

    olga_client.post(step, {"notified_at": "2026-04-08T12:00"})  # Copenhagen: 50 h after
    incident.refresh_from_db()
    assert incident.authority_notified_at == AWARE + timedelta(hours=50)
    cell = _clock_cell(
        olga_client.get(reverse("privacy-ops:incidents")).content.decode(), "Lost laptop"
    )
    assert "in time" in cell
    assert "Overdue" not in cell
    assert "clock-alarm" not in cell

    again = olga_client.post(step, {"notified_at": "2026-04-08T13:00"}, follow=True)
    assert "already recorded" in again.content.decode()


def test_a_late_notification_is_shown_as_late(
    olga_client: Client, personas: Personas, clock: type[ClockControl]
) -> None:
    incident = _breach(personas.tenant_a)
    clock.freeze(AWARE + timedelta(hours=80))
    incidents.record_authority_notification(incident, at=AWARE + timedelta(hours=75))
    cell = _clock_cell(
        olga_client.get(reverse("privacy-ops:incidents")).content.decode(), "Lost laptop"
    )
    assert "3 h 00 min late" in cell


def test_notifying_the_affected_companies_emails_their_admins_once(
    olga_client: Client, personas: Personas, clock: type[ClockControl]
) -> None:
    incident = _breach(personas.tenant_a)
    clock.freeze(AWARE + timedelta(hours=3))
    mail.outbox.clear()
    step = reverse("privacy-ops:incident-step", args=[incident.pk, "notify"])

    page = olga_client.post(step, follow=True).content.decode()

    assert "1 emails to the affected companies" in page
    assert [m.to for m in mail.outbox] == [["alice@alfa.example"]]
    body = mail.outbox[0].body
    assert "Lost laptop" in body
    assert "recipient names and addresses" in body
    assert "Disk encrypted; sessions revoked." in body
    assert "/tenant/privacy/incidents/" in body
    incident.refresh_from_db()
    assert incident.tenants_notified_at == AWARE + timedelta(hours=3)

    again = olga_client.post(step, follow=True).content.decode()
    assert "already been notified" in again
    assert len(mail.outbox) == 1


def test_contain_and_close(olga_client: Client, personas: Personas) -> None:
    incident = _breach(personas.tenant_a)
    olga_client.post(reverse("privacy-ops:incident-step", args=[incident.pk, "contain"]))
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CONTAINED
    assert incident.contained_at
    olga_client.post(reverse("privacy-ops:incident-step", args=[incident.pk, "close"]))
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED
    assert incident.closed_at
    edit = olga_client.post(
        reverse("privacy-ops:incident-edit", args=[incident.pk]),
        {"title": "Changed", "description": "d", "severity": "low", "aware_at": "2026-04-06T10:00"},
        follow=True,
    )
    assert "A closed incident cannot be changed." in edit.content.decode()
    incident.refresh_from_db()
    assert incident.title == "Lost laptop"
    unknown = olga_client.post(reverse("privacy-ops:incident-step", args=[incident.pk, "nope"]))
    assert unknown.status_code == 404


@outsider_test("privacy:incidents")
def test_a_tenant_admin_sees_only_the_incidents_of_their_company(
    alice_client: Client, charlie_client: Client, personas: Personas
) -> None:
    _breach(personas.tenant_a, title="Alfa only")
    _breach(personas.tenant_b, title="Beta only")
    _breach(personas.tenant_a, personas.tenant_b, title="Both")

    alice_page = alice_client.get(reverse("privacy:incidents")).content.decode()
    assert "Alfa only" in alice_page
    assert "Both" in alice_page
    assert "Beta only" not in alice_page
    charlie_page = charlie_client.get(reverse("privacy:incidents")).content.decode()
    assert "Beta only" in charlie_page
    assert "Both" in charlie_page
    assert "Alfa only" not in charlie_page
    assert "Alfa Kurer" not in charlie_page


def test_a_dispatcher_does_not_see_incidents(bob_client: Client, personas: Personas) -> None:
    _breach(personas.tenant_a)
    assert bob_client.get(reverse("privacy:incidents")).status_code == 403


def test_tenants_cannot_reach_the_register(alice_client: Client, personas: Personas) -> None:
    incident = _breach(personas.tenant_a)
    assert alice_client.get(reverse("privacy-ops:incidents")).status_code == 404
    alice_client.post(reverse("privacy-ops:incident-step", args=[incident.pk, "close"]))
    incident.refresh_from_db()
    assert incident.status == Incident.Status.OPEN
