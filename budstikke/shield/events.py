"""The one way security events are written (ARCHITECTURE invariant 4)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from budstikke.shield.models import SecurityEvent

if TYPE_CHECKING:
    from budstikke.accounts.models import User
    from budstikke.tenants.models import Tenant

# Keys whose values are secrets or credentials; they never reach an event's detail.
_FORBIDDEN_DETAIL_KEYS = {"password", "token", "code", "secret", "key", "otp", "api_key"}


def record(
    kind: SecurityEvent.Kind,
    *,
    request: HttpRequest | None = None,
    ip: str | None = None,
    user: User | None = None,
    tenant: Tenant | None = None,
    **detail: Any,
) -> SecurityEvent:
    """Write one event. The IP comes from the request (already the trusted client address)."""
    leaked = _FORBIDDEN_DETAIL_KEYS.intersection(detail)
    if leaked:
        raise ValueError(f"security events must not carry secrets: {sorted(leaked)}")
    path = ""
    if request is not None:
        ip = ip or request.META.get("REMOTE_ADDR")
        path = request.path[:300]
        if user is None and getattr(request, "user", None) is not None:
            candidate = request.user
            user = candidate if candidate.is_authenticated else None
    return SecurityEvent.objects.create(
        kind=kind, ip=ip or None, user=user, tenant=tenant, path=path, detail=detail
    )
