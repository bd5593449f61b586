from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from budstikke.accounts.models import User
from budstikke.core.clock import ClockControl
from budstikke.tenants.access import SESSION_KEY
from budstikke.tenants.actions import CURRENT_DPA_VERSION
from budstikke.tenants.forms import CompanySignupForm
from budstikke.tenants.models import (
    DataProcessingAgreement,
    DpaAcceptance,
    Membership,
    Role,
    Tenant,
)

pytestmark = pytest.mark.django_db

SIGNUP = {"company_name": "Nord Kurer ApS", "country": "DK", "accept_dpa": "on"}


def _sign_up(data: dict[str, str], email: str = "founder@nord.example") -> tuple[User, Tenant]:
    user = User.objects.create_user(email, "a long enough passphrase 1")
    form = CompanySignupForm(data)
    assert form.is_valid(), form.errors
    request = RequestFactory().post("/accounts/signup/", REMOTE_ADDR="203.0.113.9")
    request.session = SessionStore()
    form.signup(request, user)
    assert request.session[SESSION_KEY] is not None
    return user, Tenant.objects.get(pk=request.session[SESSION_KEY])


def test_signup_creates_the_company_as_tenant_with_the_person_as_admin() -> None:
    user, tenant = _sign_up(SIGNUP)
    assert tenant.name == "Nord Kurer ApS"
    assert tenant.slug == "nord-kurer-aps"
    assert tenant.country == "DK"
    assert tenant.timezone == "Europe/Copenhagen"
    assert Membership.objects.get(tenant=tenant).user == user
    assert Membership.objects.get(tenant=tenant).role == Role.ADMIN


def test_signup_records_dpa_acceptance_with_version_time_and_ip(
    clock: type[ClockControl],
) -> None:
    at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    clock.freeze(at)
    user, tenant = _sign_up(SIGNUP)
    acceptance = DpaAcceptance.objects.get(tenant=tenant)
    assert acceptance.user == user
    assert acceptance.agreement.version == CURRENT_DPA_VERSION
    assert acceptance.accepted_at == at
    assert acceptance.ip == "203.0.113.9"


def test_two_companies_with_the_same_name_get_different_slugs() -> None:
    _user, first = _sign_up(SIGNUP, "one@nord.example")
    _user, second = _sign_up(SIGNUP, "two@nord.example")
    assert first.slug != second.slug
    assert second.slug.startswith("nord-kurer-aps")


def test_signup_without_accepting_the_dpa_is_refused() -> None:
    form = CompanySignupForm({"company_name": "Nord Kurer ApS", "country": "DK"})
    assert not form.is_valid()
    assert "accept_dpa" in form.errors
    assert Tenant.objects.count() == 0


def test_signup_with_a_blank_company_name_is_refused() -> None:
    form = CompanySignupForm({"company_name": "   ", "country": "DK", "accept_dpa": "on"})
    assert not form.is_valid()
    assert "company_name" in form.errors


def test_signup_accepts_the_newest_agreement_in_force_not_a_future_one(
    clock: type[ClockControl],
) -> None:
    at = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    clock.freeze(at)
    DataProcessingAgreement.objects.create(version="2027-1", effective_from=at)
    DataProcessingAgreement.objects.create(version="2027-2", effective_from=at + timedelta(days=1))

    _user, tenant = _sign_up(SIGNUP)

    assert DpaAcceptance.objects.get(tenant=tenant).agreement.version == "2027-1"
