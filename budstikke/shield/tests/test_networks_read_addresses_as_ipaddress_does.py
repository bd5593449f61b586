"""The IPv4 shortcut in `networks` gives every address the key and CGNAT verdict that
`ipaddress` gives it: canonical dotted quads take the shortcut, every other spelling (leading
zeros, non-ASCII digits, spaces, brackets, zones, IPv6) goes to `ipaddress` as before."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from budstikke.core.clientip import normalise
from budstikke.shield import networks


def _key_by_ipaddress(address: str) -> str | None:
    text = normalise(address)
    if text is None or ":" not in text:
        return text
    return str(ipaddress.IPv6Network((text, 64), strict=False))


def _shared_by_ipaddress(source: str) -> bool:
    try:
        return ipaddress.ip_network(source, strict=False).network_address in networks.CGNAT
    except ValueError:
        return False


octet = st.one_of(
    st.integers(min_value=0, max_value=300).map(str),
    st.integers(min_value=0, max_value=255).map(lambda n: f"{n:03d}"),  # leading zeros
    st.sampled_from(["", "-1", "٣", "²", " 7", "1e2", "0x1"]),
)
dotted = st.tuples(octet, octet, octet, octet).map(".".join)
anything = st.text(alphabet="0123456789.:abcdef%[] /٣", max_size=24)


@given(st.one_of(dotted, anything))
def test_the_source_key_is_the_one_ipaddress_gives(address: str) -> None:
    assert networks.source_key(address) == _key_by_ipaddress(address)


@given(st.one_of(dotted, anything))
def test_cgnat_is_recognised_as_ipaddress_does(source: str) -> None:
    assert networks.is_shared(source) == _shared_by_ipaddress(source)


def test_the_edges_of_cgnat() -> None:
    assert networks.is_shared("100.64.0.0")
    assert networks.is_shared("100.127.255.255")
    assert not networks.is_shared("100.128.0.0")
    assert not networks.is_shared("100.63.255.255")
    assert not networks.is_shared("100.064.0.1")  # not an address ipaddress accepts
