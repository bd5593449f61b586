from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client
from ninja import Schema
from ninja.testing import TestClient
from ninja.throttling import AuthRateThrottle

from budstikke.api.actions import create_api_key
from budstikke.api.api import api, build_api
from budstikke.api.auth import require_scope
from budstikke.shield.models import SecurityEvent
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


class Probe(Schema):
    count: int


# An API that exists only in these tests, built like the real one, with one endpoint that
# needs a scope and validates its input.
probe_api = build_api(namespace="api-probe")


@probe_api.post("/probe")
@require_scope("shipments:write")
def _probe(request: HttpRequest, payload: Probe) -> dict[str, int]:
    return {"count": payload.count}


def _secret(personas: Personas, scopes: list[str]) -> str:
    return create_api_key(tenant=personas.tenant_a, name="Test", scopes=scopes, created_by=None)[1]


def _post(secret: str, body: Any) -> tuple[int, dict[str, Any]]:
    client = TestClient(probe_api)
    response = client.post("/probe", json=body, headers={"Authorization": f"Bearer {secret}"})
    return response.status_code, response.json()


def test_a_key_without_the_scope_gets_403_forbidden_scope(personas: Personas) -> None:
    status, body = _post(_secret(personas, ["shipments:read"]), {"count": 1})
    assert status == 403
    assert body["code"] == "forbidden_scope"
    assert body["scope"] == "shipments:write"
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.API_KEY_FAILED)
    assert event.detail["reason"] == "scope"


def test_a_key_with_the_scope_is_served(personas: Personas) -> None:
    assert _post(_secret(personas, ["shipments:write"]), {"count": 3}) == (200, {"count": 3})


def test_invalid_input_gets_422_validation_error(personas: Personas) -> None:
    status, body = _post(_secret(personas, ["shipments:write"]), {"count": "many"})
    assert status == 422
    assert body["code"] == "validation_error"
    assert body["errors"]


def test_an_unknown_api_path_gets_404_json(client: Client) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_too_many_requests_get_429_rate_limited(
    client: Client, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    throttle = next(t for t in api.throttle if isinstance(t, AuthRateThrottle))  # type: ignore[union-attr]
    monkeypatch.setattr(throttle, "num_requests", 2)
    headers = {"Authorization": f"Bearer {_secret(personas, ['shipments:read'])}"}
    codes = [client.get("/api/v1/me", headers=headers).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    response = client.get("/api/v1/me", headers=headers)
    assert response.json()["code"] == "rate_limited"


def test_the_openapi_schema_is_published(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/me" in schema["paths"]
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"]["scheme"] == "bearer"
