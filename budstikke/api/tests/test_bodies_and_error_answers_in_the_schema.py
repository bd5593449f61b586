"""Found by the schema fuzzer (`make fuzz`): a PATCH whose body was not a JSON object
(`null`, `0`, `"AAA"`, `[null]`) succeeded as an empty change, and the OpenAPI document
listed none of the error answers every operation can give (400, 401, 403, 404, 422, 429)."""

from __future__ import annotations

import pytest
from django.test import Client

from budstikke.api.actions import create_api_key
from budstikke.customers.actions import create_customer
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("body", ["null", "0", "false", '"AAA"', "[null, null]"])
def test_it_refuses_a_body_that_is_not_an_object(
    client: Client, personas: Personas, body: str
) -> None:
    customer = create_customer(tenant=personas.tenant_a, name="Fragt ApS")
    secret = create_api_key(
        tenant=personas.tenant_a, name="shop", scopes=["customers:write"], created_by=None
    )[1]
    response = client.patch(
        f"/api/v1/customers/{customer.pk}",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "error"


def test_every_operation_documents_the_error_answers(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "message"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            missing = {"400", "401", "403", "404", "422", "429"} - documented
            assert not missing, f"{method.upper()} {path} lacks {missing}"
