"""The operator keeps the sub-processor list; each change that matters is announced to every
company's admins, who can object (once, before the deadline); the operator sees objections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from budstikke.core.clock import ClockControl
from budstikke.privacy import subprocessors
from budstikke.privacy.models import SubProcessor, SubProcessorNotice, SubProcessorObjection
from budstikke.privacy.subprocessors import SubProcessorData
from budstikke.tenants.models import Tenant
from budstikke.tenants.testing import Personas, outsider_test

pytestmark = pytest.mark.django_db

START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
MAILGUN = {
    "name": "Mailgun Technologies",
    "purpose": "Delivery of emails",
    "location": "EU (Germany)",
    "transfer_basis": "EU/EEA, no transfer",
    "data_categories": "email addresses, email content",
}


def _add(olga_client: Client, **changes: str) -> SubProcessor:
    response = olga_client.post(reverse("privacy-ops:subprocessor-add"), MAILGUN | changes)
    assert response.status_code == 302
    return SubProcessor.objects.get(name=(MAILGUN | changes)["name"])


def _recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_adding_a_subprocessor_notifies_every_active_companys_admins(
    olga_client: Client, personas: Personas, clock: type[ClockControl], settings: Any
) -> None:
    clock.freeze(START)
    settings.PRIVACY_OBJECTION_DAYS = 30
    Tenant.objects.create(name="Gone ApS", slug="gone", status=Tenant.Status.PURGED)
    mail.outbox.clear()

    _add(olga_client)

    notice = SubProcessorNotice.objects.get()
    assert "Mailgun Technologies" in notice.summary
    assert "EU (Germany)" in notice.summary
    assert notice.objection_deadline == START + timedelta(days=30)
    # Admins only (not Bob the dispatcher, not Carl the courier), one email each.
    assert _recipients() == ["alice@alfa.example", "charlie@beta.example"]
    alice_mail = next(m for m in mail.outbox if m.to == ["alice@alfa.example"])
    assert "Alfa Kurer" in alice_mail.body
    assert "Beta Bud" not in alice_mail.body
    assert "2026-06-03" in alice_mail.body
    assert "/tenant/privacy/sub-processors/" in alice_mail.body


def test_the_emails_are_outbox_rows_not_sent_in_the_request(
    olga_client: Client, personas: Personas, settings: Any
) -> None:
    from budstikke.accounts.models import OutgoingEmail

    settings.MAILERS = {
        "default": {"BACKEND": "budstikke.accounts.mail.OutboxBackend"},
        "delivery": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    before = OutgoingEmail.objects.count()
    _add(olga_client)
    assert OutgoingEmail.objects.count() - before == 2


def test_a_new_location_is_announced_but_a_reworded_purpose_is_not(
    olga_client: Client, personas: Personas
) -> None:
    sub = _add(olga_client)
    edit = reverse("privacy-ops:subprocessor-edit", args=[sub.pk])

    olga_client.post(edit, MAILGUN | {"purpose": "Sending transactional emails"})
    assert SubProcessorNotice.objects.count() == 1
    sub.refresh_from_db()
    assert sub.purpose == "Sending transactional emails"

    mail.outbox.clear()
    olga_client.post(
        edit,
        MAILGUN | {"location": "USA", "transfer_basis": "Standard contractual clauses"},
    )
    notice = SubProcessorNotice.objects.order_by("-pk").first()
    assert notice is not None
    assert SubProcessorNotice.objects.count() == 2
    assert "“EU (Germany)” to “USA”" in notice.summary
    assert "Standard contractual clauses" in notice.summary
    assert len(mail.outbox) == 2


def test_removing_a_subprocessor_is_announced_and_leaves_the_list(
    olga_client: Client, alice_client: Client, personas: Personas
) -> None:
    sub = _add(olga_client)
    olga_client.post(reverse("privacy-ops:subprocessor-remove", args=[sub.pk]))

    notice = SubProcessorNotice.objects.order_by("-pk").first()
    assert notice is not None
    assert "no longer used" in notice.summary
    page = alice_client.get(reverse("privacy:subprocessors")).content.decode()
    assert "Budstikke uses no sub-processors." in page
    assert "no longer used: Mailgun Technologies" in page
    # A removed sub-processor cannot be removed or edited again.
    again = olga_client.post(reverse("privacy-ops:subprocessor-remove", args=[sub.pk]))
    assert again.status_code == 404


def test_the_operator_form_shows_errors_per_field(olga_client: Client, personas: Personas) -> None:
    response = olga_client.post(reverse("privacy-ops:subprocessor-add"), {"name": "X"})
    assert response.status_code == 200
    assert response.content.decode().count('class="errorlist') >= 3
    assert not SubProcessor.objects.exists()


def test_every_member_sees_the_list_and_only_admins_get_the_objection_form(
    olga_client: Client, bob_client: Client, alice_client: Client, personas: Personas
) -> None:
    _add(olga_client)
    bob_page = bob_client.get(reverse("privacy:subprocessors")).content.decode()
    assert "Mailgun Technologies" in bob_page
    assert "Object to this change" not in bob_page
    alice_page = alice_client.get(reverse("privacy:subprocessors")).content.decode()
    assert "Object to this change" in alice_page


def _object(client: Client, notice: SubProcessorNotice, reason: str = "Not outside the EU") -> Any:
    return client.post(
        reverse("privacy:subprocessor-object"),
        {"notice": notice.pk, "reason": reason},
        follow=True,
    )


def test_an_admin_objects_once_and_the_operator_sees_company_and_reason(
    olga_client: Client, alice_client: Client, personas: Personas
) -> None:
    _add(olga_client)
    notice = SubProcessorNotice.objects.get()

    page = _object(alice_client, notice).content.decode()
    assert "Your objection is recorded." in page
    assert "Your company objected on" in page
    again = _object(alice_client, notice, "Twice").content.decode()
    assert "Your company has already objected to this change." in again
    assert SubProcessorObjection.objects.for_tenant(personas.tenant_a).count() == 1

    ops = olga_client.get(reverse("privacy-ops:subprocessors")).content.decode()
    assert "Alfa Kurer" in ops
    assert "Not outside the EU" in ops
    assert "Alice Andersen" not in ops
    assert "alice@alfa.example" not in ops


def test_an_empty_reason_is_a_field_error(
    olga_client: Client, alice_client: Client, personas: Personas
) -> None:
    _add(olga_client)
    notice = SubProcessorNotice.objects.get()
    response = alice_client.post(
        reverse("privacy:subprocessor-object"), {"notice": notice.pk, "reason": ""}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not SubProcessorObjection.objects.dangerously_unscoped().exists()


def test_after_the_deadline_the_button_is_gone_and_a_post_is_refused(
    olga_client: Client,
    alice_client: Client,
    personas: Personas,
    clock: type[ClockControl],
    settings: Any,
) -> None:
    clock.freeze(START)
    settings.PRIVACY_OBJECTION_DAYS = 30
    _add(olga_client)
    notice = SubProcessorNotice.objects.get()
    clock.advance(timedelta(days=30, seconds=1))

    page = alice_client.get(reverse("privacy:subprocessors")).content.decode()
    assert "Object to this change" not in page
    assert "The objection period ended on" in page
    refused = _object(alice_client, notice).content.decode()
    assert "The objection period for this change ended on 2026-06-03 09:00 (UTC)." in refused
    assert not SubProcessorObjection.objects.dangerously_unscoped().exists()


def test_a_dispatcher_cannot_object(
    olga_client: Client, bob_client: Client, personas: Personas
) -> None:
    _add(olga_client)
    notice = SubProcessorNotice.objects.get()
    response = bob_client.post(
        reverse("privacy:subprocessor-object"), {"notice": notice.pk, "reason": "No"}
    )
    assert response.status_code == 403
    assert not SubProcessorObjection.objects.dangerously_unscoped().exists()


@outsider_test("privacy:subprocessors", "privacy:subprocessor-object")
def test_an_outsiders_objection_is_their_own_and_they_see_not_others(
    olga_client: Client, alice_client: Client, charlie_client: Client, personas: Personas
) -> None:
    _add(olga_client)
    notice = SubProcessorNotice.objects.get()
    _object(alice_client, notice, "Alfa's own reason")

    page = charlie_client.get(reverse("privacy:subprocessors")).content.decode()
    assert "Alfa's own reason" not in page
    assert "Object to this change" in page  # Alfa's objection does not count for Beta
    _object(charlie_client, notice, "Beta objects")
    assert SubProcessorObjection.objects.for_tenant(personas.tenant_b).get().reason == (
        "Beta objects"
    )
    assert SubProcessorObjection.objects.for_tenant(personas.tenant_a).get().reason == (
        "Alfa's own reason"
    )


def test_anonymous_visitors_are_sent_to_log_in(client: Client, personas: Personas) -> None:
    for name in ("privacy:subprocessors", "privacy:subprocessor-object"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_tenants_cannot_reach_the_operator_pages(alice_client: Client, personas: Personas) -> None:
    sub, _notice = subprocessors.add(SubProcessorData(**MAILGUN))
    assert alice_client.get(reverse("privacy-ops:subprocessors")).status_code == 404
    response = alice_client.post(
        reverse("privacy-ops:subprocessor-remove", args=[sub.pk]), follow=False
    )
    assert response.status_code == 404
    sub.refresh_from_db()
    assert sub.removed_at is None
