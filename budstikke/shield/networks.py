"""What a decision is about: the source key of an address and the networks operators name.

IPv4 decisions apply to the address; IPv6 decisions to its /64, because one household or
server holds a whole /64 and changes addresses inside it at will.
"""

from __future__ import annotations

import functools
import ipaddress

from budstikke.core.clientip import IPAddress, IPNetwork, normalise

CGNAT = ipaddress.ip_network("100.64.0.0/10")


def _octets(text: str) -> tuple[int, int, int, int] | None:
    """The octets of an IPv4 address written the one way `ipaddress` writes it (ASCII digits,
    no leading zeros), else None: a shortcut that parses a log's addresses at a third of the
    cost, and leaves every other spelling to `ipaddress`."""
    parts = text.split(".")
    if len(parts) != 4:
        return None
    octets = []
    for part in parts:
        if not (part.isascii() and part.isdigit()) or (part[0] == "0" and len(part) > 1):
            return None
        value = int(part)
        if value > 255:
            return None
        octets.append(value)
    return octets[0], octets[1], octets[2], octets[3]


@functools.lru_cache(maxsize=65536)
def source_key(address: str) -> str | None:
    """The ban key: '192.0.2.7' for IPv4, '2001:db8:1:2::/64' for IPv6, None for junk."""
    if _octets(address) is not None:
        return address
    text = normalise(address)
    if text is None:
        return None
    if ":" not in text:
        return text
    return str(ipaddress.IPv6Network((text, 64), strict=False))


def parse_network(text: str) -> IPNetwork:
    """An operator's network: an address, a CIDR, or an IPv6 address (taken as its /64)."""
    cleaned = text.strip()
    if "/" not in cleaned:
        key = source_key(cleaned)
        if key is None:
            raise ValueError(f"{cleaned!r} is not an IP address or network")
        cleaned = key
    network = ipaddress.ip_network(cleaned, strict=False)
    if isinstance(network, ipaddress.IPv6Network) and network.prefixlen > 64:
        network = network.supernet(new_prefix=64)
    return network


def network_key(network: IPNetwork) -> str:
    """How a network is stored in a Ban: host networks by their address, others as CIDR."""
    if isinstance(network, ipaddress.IPv4Network) and network.prefixlen == 32:
        return str(network.network_address)
    return str(network)


def is_host_key(key: str) -> bool:
    """Whether a key is a single source (looked up in O(1)) rather than a wider range."""
    return "/" not in key or key.endswith("/64")


def address_of(key: str) -> IPAddress:
    return ipaddress.ip_network(key, strict=False).network_address


@functools.lru_cache(maxsize=65536)
def is_shared(source: str) -> bool:
    """CGNAT puts many people behind one address: they get more room and shorter bans."""
    octets = _octets(source)
    if octets is not None:
        return octets[0] == 100 and 64 <= octets[1] < 128  # 100.64.0.0/10
    try:
        return address_of(source) in CGNAT
    except ValueError:
        return False


def contains(networks: list[IPNetwork], source: str) -> bool:
    address = address_of(source)
    return any(address in network for network in networks if network.version == address.version)
