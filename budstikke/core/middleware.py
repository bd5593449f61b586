"""Request-level chokepoints that every other layer relies on."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from budstikke.core.clientip import client_ip

access_log = logging.getLogger("budstikke.access")

_PROXY_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


class ClientIPMiddleware:
    """Replace REMOTE_ADDR with the real client address; drop proxy headers from untrusted peers.

    Everything after this middleware (allauth's rate limits, security events, bans) reads
    REMOTE_ADDR and can trust it. The peer's own address is kept as `PEER_ADDR`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        peer = str(meta.get("REMOTE_ADDR", ""))
        address, trusted = client_ip(
            peer,
            meta.get("HTTP_X_FORWARDED_FOR"),
            settings.TRUSTED_PROXY_CIDRS,
            settings.TRUSTED_PROXY_HOPS,
        )
        meta["PEER_ADDR"] = peer
        meta["REMOTE_ADDR"] = address
        if not trusted:
            for header in _PROXY_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)


class AccessLogMiddleware:
    """One line per request: method, route pattern (never the raw path), status, duration."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        route = ("/" + match.route) if match is not None else "(unresolved)"
        access_log.info(
            "%s %s %s %.1fms",
            request.method,
            route,
            response.status_code,
            (time.perf_counter() - started) * 1000,
            extra={"client_ip": request.META.get("REMOTE_ADDR", "")},
        )
        return response
