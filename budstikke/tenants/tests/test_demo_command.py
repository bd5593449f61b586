from __future__ import annotations

import re
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command

from budstikke.accounts.models import User
from budstikke.tenants.models import Membership, Role, Tenant

pytestmark = pytest.mark.django_db


def _demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_creates_the_company_its_people_and_an_operator() -> None:
    output = _demo()
    tenant = Tenant.objects.get(slug="demo")
    roles = sorted(Membership.objects.filter(tenant=tenant).values_list("role", flat=True))
    assert roles == sorted([Role.ADMIN, Role.DISPATCHER, Role.COURIER, Role.COURIER])
    admin = User.objects.get(email="admin@demo.budstikke.test")
    assert Membership.objects.get(user=admin).role == Role.ADMIN
    operator = User.objects.get(email="ops@budstikke.test")
    assert operator.is_operator
    assert not Membership.objects.filter(user=operator).exists()
    # Nobody has a second factor yet: the first login enrolls it.
    assert not Authenticator.objects.exists()
    found = re.search(r"Password of the users created now \(5\): (\S+)", output)
    assert found
    assert admin.check_password(found.group(1))
    assert operator.check_password(found.group(1))
    assert "/accounts/login/" in output


def test_demo_runs_again_without_duplicates_or_new_passwords() -> None:
    _demo()
    admin_hash = User.objects.get(email="admin@demo.budstikke.test").password
    output = _demo()
    assert "Password of" not in output
    assert User.objects.get(email="admin@demo.budstikke.test").password == admin_hash
    assert Tenant.objects.filter(slug="demo").count() == 1
    assert User.objects.filter(email__endswith="budstikke.test").count() == 5


def test_a_given_password_is_set_for_everyone() -> None:
    _demo()
    _demo("--password", "demo passphrase 2026")
    for user in User.objects.filter(email__endswith="budstikke.test"):
        assert user.check_password("demo passphrase 2026")


def test_a_weak_password_is_refused() -> None:
    with pytest.raises(CommandError, match="--password"):
        _demo("--password", "demo")
    assert not User.objects.exists()
