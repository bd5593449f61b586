"""Where a web hook may be sent. A tenant's URL must not reach into the installation's own
network: every address the host resolves to must be public (not private, loopback,
link-local, shared, reserved or multicast), and the request then goes to the checked
address itself, so a second DNS answer cannot swap in another one. Only with
`WEBHOOKS_ALLOW_PRIVATE_TARGETS` (development and tests) are private targets and plain
http allowed."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTargetError(ValueError):
    """The URL is malformed or points where web hooks may not go (message for people)."""


@dataclass(frozen=True)
class Target:
    url: httpx.URL  # the URL with the checked address as its host
    host: str  # the name TLS checks the certificate against (SNI)
    netloc: str  # the Host header: the name, and the port when it is not the default


def _private_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False))


def _public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_url(url: str) -> httpx.URL:
    """Syntax and scheme; an address written as a literal is checked here too."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, ValueError, TypeError):
        raise UnsafeTargetError(_("Enter a valid URL.")) from None
    allowed = ("https", "http") if _private_allowed() else ("https",)
    if parsed.scheme not in allowed or not parsed.host:
        raise UnsafeTargetError(_("The URL must start with https:// and name a host."))
    if parsed.userinfo:
        raise UnsafeTargetError(_("Put credentials in the path or query, not before the host."))
    try:
        literal: Address | None = ipaddress.ip_address(parsed.host)
    except ValueError:
        literal = None
    if literal is not None and not _public(literal) and not _private_allowed():
        raise UnsafeTargetError(_("Web hooks cannot be sent to private or local addresses."))
    return parsed


def resolve(url: str) -> Target:
    """The URL pinned to one checked address; UnsafeTargetError when any address is not public."""
    parsed = check_url(url)
    host = parsed.host
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeTargetError(_("The host name could not be resolved.")) from None
    addresses: list[Address] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeTargetError(_("The host name could not be resolved."))
    if not _private_allowed() and not all(_public(a) for a in addresses):
        raise UnsafeTargetError(_("Web hooks cannot be sent to private or local addresses."))
    return Target(
        url=parsed.copy_with(host=str(addresses[0])),
        host=host,
        netloc=parsed.netloc.decode("ascii"),
    )
