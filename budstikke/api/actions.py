"""Every write to API keys, as plain functions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction

from budstikke.api.models import ApiKey
from budstikke.api.scopes import SCOPES
from budstikke.core import clock

if TYPE_CHECKING:
    from budstikke.accounts.models import User
    from budstikke.tenants.models import Tenant

KEY_PREFIX = "bsk_"
# Writing last_used_at on every call would turn each read into a write; a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def key_hash(secret: str) -> str:
    """The key is 256 random bits, so a plain SHA-256 is as strong as a slow hash here."""
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_key(
    *, tenant: Tenant, name: str, scopes: list[str], created_by: User | None
) -> tuple[ApiKey, str]:
    """A new key and its secret; the secret is returned once and never stored."""
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError("unknown or empty scopes")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        tenant=tenant,
        name=name.strip() or "API key",
        prefix=secret[: len(KEY_PREFIX) + 8],
        key_hash=key_hash(secret),
        scopes=sorted(set(scopes)),
        created_by=created_by,
        created_at=clock.now(),
    )
    return api_key, secret


@transaction.atomic
def revoke_api_key(api_key: ApiKey) -> None:
    ApiKey.objects.dangerously_unscoped().filter(pk=api_key.pk, revoked_at=None).update(
        revoked_at=clock.now()
    )


def touch_api_key(api_key: ApiKey) -> None:
    """Record use, at most once per LAST_USED_RESOLUTION, with one UPDATE and no lock."""
    now = clock.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.dangerously_unscoped().filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
