from __future__ import annotations

import ipaddress

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from budstikke.core.clientip import client_ip, normalise
from budstikke.core.middleware import ClientIPMiddleware

PROXY = [ipaddress.ip_network("10.0.0.0/8")]


def test_forwarded_for_from_an_untrusted_peer_is_ignored() -> None:
    assert client_ip("198.51.100.7", "203.0.113.9", [], 0) == ("198.51.100.7", False)
    assert client_ip("198.51.100.7", "203.0.113.9", PROXY, 0) == ("198.51.100.7", False)


def test_a_trusted_proxy_chain_is_walked_from_the_right() -> None:
    # The left-most entry is whatever the client claimed; only the proxy's own append counts.
    assert client_ip("10.0.0.2", "1.2.3.4, 203.0.113.9, 10.0.0.1", PROXY, 0) == (
        "203.0.113.9",
        True,
    )


def test_hop_count_takes_the_address_the_last_proxy_saw() -> None:
    assert client_ip("192.0.2.1", "6.6.6.6, 203.0.113.9", [], 1) == ("203.0.113.9", True)


def test_ipv4_mapped_ipv6_is_the_same_client() -> None:
    assert normalise("::ffff:192.0.2.5") == "192.0.2.5"
    assert normalise("[2001:db8::1]") == "2001:db8::1"
    assert normalise("not-an-ip") is None


@pytest.mark.parametrize("trusted", [[], PROXY])
def test_middleware_drops_spoofed_proxy_headers(settings: object, trusted: list[object]) -> None:
    settings.TRUSTED_PROXY_CIDRS = trusted  # type: ignore[attr-defined]
    settings.TRUSTED_PROXY_HOPS = 0  # type: ignore[attr-defined]
    seen: dict[str, object] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen.update(request.META)
        return HttpResponse()

    request = RequestFactory().get(
        "/",
        REMOTE_ADDR="::ffff:127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        HTTP_X_FORWARDED_PROTO="https",
    )
    ClientIPMiddleware(view)(request)
    assert seen["REMOTE_ADDR"] == "127.0.0.1"
    assert "HTTP_X_FORWARDED_FOR" not in seen
    assert "HTTP_X_FORWARDED_PROTO" not in seen
