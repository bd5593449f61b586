from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from budstikke.tenants.models import Tenant

pytestmark = pytest.mark.django_db


def test_demo_creates_the_demo_company_once() -> None:
    call_command("demo", stdout=StringIO())
    call_command("demo", stdout=StringIO())
    tenant = Tenant.objects.get(slug="demo")
    assert tenant.name == "Demo Kurer ApS"
    assert tenant.timezone == "Europe/Copenhagen"
    assert Tenant.objects.filter(slug="demo").count() == 1
