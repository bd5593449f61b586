from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from budstikke.api.models import ApiKey
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


def test_the_command_prints_a_working_key(client: Client, personas: Personas) -> None:
    out = StringIO()
    call_command(
        "apikey",
        "create",
        "--tenant",
        "alfa-kurer",
        "--scopes",
        "shipments:read,shipments:write",
        "--name",
        "Shop",
        stdout=out,
        stderr=StringIO(),
    )
    secret = out.getvalue().strip()
    assert secret.startswith("bsk_")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.json()["scopes"] == ["shipments:read", "shipments:write"]
    assert ApiKey.objects.for_tenant(personas.tenant_a).get().name == "Shop"


@pytest.mark.parametrize(
    ("tenant", "scopes", "message"),
    [
        ("nope", "shipments:read", "no tenant"),
        ("alfa-kurer", "shipments:delete", "unknown scope"),
        ("alfa-kurer", ",", "at least one scope"),
    ],
)
def test_bad_arguments_are_clear_errors(
    personas: Personas, tenant: str, scopes: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("apikey", "create", "--tenant", tenant, "--scopes", scopes, stdout=StringIO())
    assert not ApiKey.objects.dangerously_unscoped().exists()
