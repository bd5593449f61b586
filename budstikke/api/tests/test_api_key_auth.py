from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from budstikke.api.actions import create_api_key, revoke_api_key
from budstikke.api.models import ApiKey
from budstikke.core.clock import ClockControl
from budstikke.shield.models import SecurityEvent
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


def _key(personas: Personas, scopes: list[str] | None = None) -> tuple[ApiKey, str]:
    return create_api_key(
        tenant=personas.tenant_a,
        name="Web shop",
        scopes=scopes or ["shipments:read", "shipments:write"],
        created_by=personas.alice,
    )


def _me(client: Client, authorization: str | None) -> tuple[int, dict[str, object]]:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = client.get("/api/v1/me", headers=headers)
    return response.status_code, response.json()


def _failures() -> list[str]:
    return list(
        SecurityEvent.objects.filter(kind=SecurityEvent.Kind.API_KEY_FAILED)
        .order_by("pk")
        .values_list("detail__reason", flat=True)
    )


def test_a_valid_key_sees_its_tenant_and_scopes(client: Client, personas: Personas) -> None:
    api_key, secret = _key(personas)
    status, body = _me(client, f"Bearer {secret}")
    assert status == 200
    assert body == {
        "tenant": "alfa-kurer",
        "key": api_key.prefix,
        "scopes": ["shipments:read", "shipments:write"],
    }


def test_keys_have_a_readable_prefix_and_are_stored_only_as_a_hash(personas: Personas) -> None:
    api_key, secret = _key(personas)
    assert secret.startswith("bsk_")
    assert len(secret) >= 40
    assert api_key.prefix == secret[:12]
    stored = ApiKey.objects.filter(pk=api_key.pk).values().get()
    assert secret not in str(stored)


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "missing"),
        ("Basic dXNlcjpwYXNz", "malformed"),
        ("Bearer not-a-budstikke-key", "malformed"),
        ("Bearer bsk_" + "x" * 43, "unknown"),
    ],
)
def test_a_bad_key_gets_401_json_and_a_security_event(
    client: Client, personas: Personas, authorization: str | None, reason: str
) -> None:
    _key(personas)
    status, body = _me(client, authorization)
    assert status == 401
    assert body["code"] == "unauthorized"
    assert _failures() == [reason]
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.API_KEY_FAILED)
    assert event.ip == "127.0.0.1"
    assert "xxxx" not in str(event.detail)


def test_a_revoked_key_is_refused(client: Client, personas: Personas) -> None:
    api_key, secret = _key(personas)
    assert _me(client, f"Bearer {secret}")[0] == 200
    revoke_api_key(api_key)
    status, body = _me(client, f"Bearer {secret}")
    assert (status, body["code"]) == (401, "unauthorized")
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.API_KEY_FAILED)
    assert event.detail == {"reason": "revoked", "key_id": api_key.pk}
    assert event.tenant == personas.tenant_a


def test_a_cancelled_tenants_key_is_refused(client: Client, personas: Personas) -> None:
    _api_key, secret = _key(personas)
    personas.tenant_a.status = "cancelled"
    personas.tenant_a.save()
    assert _me(client, f"Bearer {secret}")[0] == 401
    assert _failures() == ["tenant_inactive"]


def test_last_used_is_recorded_at_most_once_a_minute(
    client: Client, personas: Personas, clock: type[ClockControl]
) -> None:
    api_key, secret = _key(personas)
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is None
    _me(client, f"Bearer {secret}")
    first = ApiKey.objects.get(pk=api_key.pk).last_used_at
    assert first is not None
    clock.advance(timedelta(seconds=20))
    _me(client, f"Bearer {secret}")
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == first
    clock.advance(timedelta(minutes=2))
    _me(client, f"Bearer {secret}")
    last = ApiKey.objects.get(pk=api_key.pk).last_used_at
    assert last is not None
    assert last > first


def test_a_browser_session_gets_no_api_data(alice_client: Client) -> None:
    """Even fully signed in, with a second factor, a session is not an API credential."""
    status, body = _me(alice_client, None)
    assert status == 401
    assert body["code"] == "unauthorized"
