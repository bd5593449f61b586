"""The client's address, read from X-Forwarded-For only when the peer is a trusted proxy."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def normalise(raw: str) -> str | None:
    """One spelling per address: IPv4-mapped IPv6 becomes IPv4; junk becomes None."""
    text = raw.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    if "%" in text:
        text = text.split("%", 1)[0]
    try:
        address: IPAddress = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def _trusted(address: str, cidrs: Sequence[IPNetwork]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in cidrs)


def client_ip(
    remote_addr: str,
    forwarded_for: str | None,
    trusted_cidrs: Sequence[IPNetwork],
    trusted_hops: int,
) -> tuple[str, bool]:
    """Return (client address, whether the peer is a trusted proxy).

    With trusted CIDRs, X-Forwarded-For is walked from the right, skipping trusted proxies;
    the first untrusted address is the client. With a hop count and no CIDRs, the address
    that many entries from the right is the client. Without either, the header is ignored.
    """
    peer = normalise(remote_addr) or "0.0.0.0"  # noqa: S104 - a placeholder, never bound
    if trusted_cidrs:
        if not _trusted(peer, trusted_cidrs):
            return peer, False
        hops = [normalise(part) for part in (forwarded_for or "").split(",") if part.strip()]
        client = peer
        for hop in reversed(hops):
            if hop is None:
                break
            client = hop
            if not _trusted(hop, trusted_cidrs):
                break
        return client, True
    if trusted_hops > 0:
        hops = [normalise(part) for part in (forwarded_for or "").split(",") if part.strip()]
        if len(hops) >= trusted_hops and hops[-trusted_hops] is not None:
            return str(hops[-trusted_hops]), True
        return peer, True
    return peer, False
