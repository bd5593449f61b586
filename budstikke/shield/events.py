"""The one way security events are written (ARCHITECTURE invariant 4).

Every event gets its country (offline GeoIP) and its source key (the address, or its /64),
is written to the security log, and is then fed to the detectors, which may ban the source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from budstikke.core.clientip import normalise
from budstikke.shield import detectors, geoip, networks, seclog
from budstikke.shield.models import SecurityEvent

if TYPE_CHECKING:
    from budstikke.accounts.models import User
    from budstikke.tenants.models import Tenant

# Keys whose values are secrets or credentials; they never reach an event's detail.
_FORBIDDEN_DETAIL_KEYS = {"password", "token", "code", "secret", "key", "otp", "api_key"}


def account_key(login: str) -> str:
    """A keyed digest of a login name: lets credential stuffing count distinct accounts
    without storing the name. Pass it as `account=` in a LOGIN_FAILED event."""
    digest = salted_hmac("budstikke.shield.account", login.strip().lower(), algorithm="sha256")
    return digest.hexdigest()[:16]


def _event_path(request: HttpRequest) -> str:
    """The route pattern once the URL is resolved (`/invitations/<str:token>/`), so tokens
    and ids in a path never reach an event or the log; the raw path for unresolved probes."""
    match = getattr(request, "resolver_match", None)
    route: str = match.route if match is not None else ""
    if route:
        return ("/" + route)[:300]
    return request.path[:300]


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
        path = _event_path(request)
        if user is None and getattr(request, "user", None) is not None:
            candidate = request.user
            user = candidate if candidate.is_authenticated else None
    address = normalise(ip) if ip else None
    event = SecurityEvent.objects.create(
        kind=kind,
        ip=address,
        country=geoip.country_of(address) or "",
        source=(networks.source_key(address) or "") if address else "",
        user=user,
        tenant=tenant,
        path=path,
        detail=detail,
    )
    seclog.event(kind, address, event.country, path, event.at)
    detectors.observe(event)
    return event
