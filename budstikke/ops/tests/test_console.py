from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from budstikke.tenants.models import Tenant
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


def test_the_operator_sees_tenants_metadata(olga_client: Client, personas: Personas) -> None:
    Tenant.objects.filter(pk=personas.tenant_b.pk).update(plan="pro", status="cancelled")
    page = olga_client.get(reverse("ops:tenants")).content.decode()
    assert "Alfa Kurer" in page
    assert "Beta Bud" in page
    assert "pro" in page
    assert "Cancelled" in page
    rows = [line for line in page.splitlines() if "Alfa Kurer" in line]
    assert "<td>3</td>" in rows[0]  # member count of tenant A


def test_the_console_shows_no_member_of_any_tenant(olga_client: Client, personas: Personas) -> None:
    page = olga_client.get(reverse("ops:tenants")).content.decode()
    for person in (personas.alice, personas.bob, personas.charlie):
        assert person.email not in page
        assert person.full_name not in page


@pytest.mark.parametrize("who", ["alice_client", "charlie_client", "client"])
def test_the_console_is_invisible_to_everyone_else(
    who: str, request: pytest.FixtureRequest, personas: Personas
) -> None:
    visitor: Client = request.getfixturevalue(who)
    response = visitor.get(reverse("ops:tenants"))
    if who == "client":
        assert reverse("account_login") in response["Location"]
    else:
        assert response.status_code == 404
