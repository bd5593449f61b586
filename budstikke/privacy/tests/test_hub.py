"""The data-protection front pages lead the tenant admin and the operator to every tool."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from budstikke.tenants.testing import Personas, outsider_test

pytestmark = pytest.mark.django_db


@outsider_test("privacy:home")
def test_the_tenant_admin_finds_every_tool_and_staff_do_not(
    personas: Personas, alice_client: Client, bob_client: Client, charlie_client: Client
) -> None:
    page = alice_client.get(reverse("privacy:home")).content.decode()
    for name in ("dsr_list", "retention", "records", "subprocessors", "dpa", "incidents"):
        assert reverse(f"privacy:{name}") in page
    assert reverse("privacy:offboarding") in page
    assert reverse("privacy:home") in alice_client.get(reverse("tenants:home")).content.decode()
    assert bob_client.get(reverse("privacy:home")).status_code == 403
    assert personas.tenant_a.name not in charlie_client.get(reverse("privacy:home")).text


def test_the_operator_finds_every_tool_and_tenants_do_not(
    personas: Personas, olga_client: Client, alice_client: Client
) -> None:
    page = olga_client.get(reverse("privacy-ops:home")).content.decode()
    for name in ("purge", "records", "subprocessors", "dpa", "incidents", "offboarding"):
        assert reverse(f"privacy-ops:{name}") in page
    assert alice_client.get(reverse("privacy-ops:home")).status_code == 404
