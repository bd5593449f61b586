"""API-key authentication: `Authorization: Bearer bsk_…`. The API accepts nothing else, so
a browser session (however far its login got) never reaches API data."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from budstikke.api.actions import KEY_PREFIX, key_hash, touch_api_key
from budstikke.api.models import ApiKey
from budstikke.shield.events import record
from budstikke.shield.models import SecurityEvent
from budstikke.tenants.models import Tenant

_MAX_KEY_LENGTH = 100


class ScopeDeniedError(Exception):
    """The key is valid but lacks the scope an endpoint needs (HTTP 403)."""

    def __init__(self, scope: str) -> None:
        super().__init__(scope)
        self.scope = scope


def _failed(request: HttpRequest, reason: str, api_key: ApiKey | None = None) -> None:
    record(
        SecurityEvent.Kind.API_KEY_FAILED,
        request=request,
        user=None,
        tenant=api_key.tenant if api_key else None,
        reason=reason,
        key_id=api_key.pk if api_key else None,
    )


class ApiKeyAuth(HttpBearer):
    """Finds the key by the SHA-256 of the presented secret; every failure is a security
    event (without the presented value)."""

    def __call__(self, request: HttpRequest) -> ApiKey | None:
        header = request.headers.get(self.header, "")
        scheme, _sep, secret = header.partition(" ")
        secret = secret.strip()
        if not header:
            _failed(request, "missing")
            return None
        if (
            scheme.lower() != "bearer"
            or not secret.startswith(KEY_PREFIX)
            or len(secret) > _MAX_KEY_LENGTH
        ):
            _failed(request, "malformed")
            return None
        return self.authenticate(request, secret)

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        api_key: ApiKey | None = (
            ApiKey.objects.dangerously_unscoped()
            .select_related("tenant")
            .filter(key_hash=key_hash(token))
            .first()
        )
        if api_key is None:
            _failed(request, "unknown")
            return None
        if api_key.revoked_at is not None:
            _failed(request, "revoked", api_key)
            return None
        if api_key.tenant.status != Tenant.Status.ACTIVE:
            _failed(request, "tenant_inactive", api_key)
            return None
        touch_api_key(api_key)
        return api_key


def require_scope[F: Callable[..., Any]](scope: str) -> Callable[[F], F]:
    """Endpoint decorator: the calling key must carry `scope`, or the answer is 403."""

    def decorator(func: F) -> F:
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            api_key: ApiKey = request.auth  # type: ignore[attr-defined]
            if scope not in api_key.scopes:
                _failed(request, "scope", api_key)
                raise ScopeDeniedError(scope)
            return func(request, *args, **kwargs)

        # django-ninja reads the endpoint's parameters from the signature; resolve them in
        # the endpoint's own module, not this one (annotations are strings here).
        wrapper.__signature__ = inspect.signature(func, eval_str=True)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
