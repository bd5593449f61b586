"""The fast `shield scan` decides exactly what the first, line-by-line scanner decided: the same
sources, scenarios, times, lines and counts, for well-formed, odd and broken log lines."""

from __future__ import annotations

import ipaddress
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budstikke.shield.scan import Scanner, ScanResult
from budstikke.shield.tests.scan_reference import ReferenceScanner

ALLOWED = [ipaddress.ip_network("198.51.100.128/25")]
ADDRESSES = [
    "192.0.2.7",
    "192.0.2.8",
    "2001:db8:5::1",
    "2001:db8:5::2",  # the same /64 as the one before
    "::ffff:192.0.2.7",  # the same source as the first
    "100.64.3.4",  # CGNAT: doubled capacity
    "198.51.100.200",  # allow-listed
    "not-an-address",
    "-",
]
# (weight, targets, statuses): each kind of line a detector reads, and noise.
KINDS = [
    (4, ["/", "/dashboard/", "/static/app.css", "/p%d", "/p%d?x=%d"], ["200", "302", "404", "500"]),
    (
        3,
        ["/.env%d", "/wp-admin/%d", "/p%d.php", "/.git/%d", "/.well-known/%d", "/A/B%d.PHP"],
        ["404", "403", "429", "500", "200"],
    ),
    (5, ["/accounts/login/", "/accounts/login/?next=/%d"], ["200", "400", "429", "302"]),
    (4, ["/api/v1/s%d", "/api/"], ["401", "403", "404", "200"]),
    (5, ["/t/BS%d", "/static/m%d.css", "/t/"], ["404", "200"]),
    (0.3, ["/x?q=union+select+%d", "/..%2f..%2fetc/passwd", "/s?q=%3Cscript%3E%d"], ["200", "404"]),
    (1, ["/", "/.env", "/api/x", "/t/x"], ["-", "4_04", "4x4", "4", "5", "\u0664\u0660\u0664"]),
]
METHODS = ["POST", "POST", "GET", "HEAD"]


def _target(template: str, n: int) -> str:
    return template.replace("%d", str(n), 1).replace("%d", str(n + 1), 1)


def _line(rng: random.Random, second: int, crowd: int) -> str:
    address = rng.choice(ADDRESSES) if rng.randrange(crowd + 1) == 0 else _stranger(rng, crowd)
    _, targets, statuses = rng.choices(KINDS, weights=[kind[0] for kind in KINDS])[0]
    target = _target(rng.choice(targets), rng.randrange(40))
    stamp = f"24/Nov/2026:{10 + second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
    status, method = rng.choice(statuses), rng.choice(METHODS)
    shape = rng.random()
    if shape < 0.03:
        return rng.choice(["garbage\n", "\n", f"{address} - - [{stamp} +0000]\n"])
    if shape < 0.06:  # a space in the user field: the slow path
        return (
            f'{address} - a user [{stamp} +0000] "{method} {target} HTTP/1.1" {status} 5 "-" "-"\n'
        )
    if shape < 0.08:  # a quote inside the request
        return f'{address} - - [{stamp} +0000] "{method} {target}" x HTTP/1.1" {status} 5\n'
    if shape < 0.10:  # common log format without a size
        return f'{address} - - [{stamp} +0000] "{method} {target} HTTP/1.1" {status}\n'
    if shape < 0.105:  # an unreadable time
        return f'{address} - - [99/Foo/2026:10:00:00 +0000] "{method} {target} HTTP/1.1" 200 5\n'
    if shape < 0.107:  # another zone
        return f'{address} - - [{stamp} +0200] "{method} {target} HTTP/1.1" {status} 5\n'
    return (
        f'{address} - - [{stamp} +0000] "{method} {target} HTTP/1.1" {status} 5 '
        f'"https://example.test/" "Mozilla/5.0 (X11)"\n'
    )


def _stranger(rng: random.Random, crowd: int) -> str:
    n = rng.randrange(crowd)
    return f"198.18.{n // 250}.{n % 250}" if n % 7 else f"2001:db8:{n}::{rng.randrange(9)}"


def _log(seed: int, count: int, spread: int, crowd: int = 0) -> list[str]:
    rng = random.Random(seed)
    second = 0
    lines = []
    for _ in range(count):
        step = rng.choice((0, 0, 0, 0, 0, 0, 1, spread))
        if not crowd and rng.random() < 0.02:
            step = -1  # out of order, as Apache writes requests that finish late
        second = max(0, second + step)
        lines.append(_line(rng, second, crowd))
    return lines


Summary = tuple[int, int, list[tuple[str, str, float, int, int]]]


def _summary(result: ScanResult) -> Summary:
    return (
        result.lines,
        result.unparsed,
        [(d.source, d.scenario.name, d.at, d.line, d.poured) for d in result.decisions],
    )


def _both(lines: list[str]) -> tuple[Summary, Summary]:
    fast = Scanner(allowed=ALLOWED).feed(lines)
    reference = ReferenceScanner(allowed=ALLOWED).feed(lines)
    return _summary(fast), _summary(reference)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    count=st.integers(min_value=0, max_value=600),
    spread=st.sampled_from([1, 30, 400]),
)
def test_it_decides_as_the_line_by_line_scanner(seed: int, count: int, spread: int) -> None:
    fast, reference = _both(_log(seed, count, spread))
    assert fast == reference


def _attacks(rng: random.Random) -> list[str]:
    """A busy hour: ordinary visitors, and one address for each kind of attack."""
    probes = ["/.env", "/wp-login.php", "/.git/config", "/phpmyadmin/", "/xmlrpc.php", "/a.php"]
    lines = []
    for n in range(40_000):
        stamp = f"24/Nov/2026:11:{n // 20 // 60 % 60:02d}:{n // 20 % 60:02d} +0000"
        address, method, target, status = _stranger(rng, 5000), "GET", "/dashboard/", 200
        roll = rng.random()
        if roll < 0.01:
            address, target, status = "203.0.113.1", rng.choice(probes), 404
        elif roll < 0.02:
            address, method, target = "203.0.113.2", "POST", "/accounts/login/"
        elif roll < 0.03:
            address, target, status = "203.0.113.3", f"/missing-{rng.randrange(1000)}", 404
        elif roll < 0.035:
            address, target, status = "203.0.113.4", f"/t/BS{rng.randrange(10**8):08d}", 404
        elif roll < 0.04:
            address, target, status = "203.0.113.5", "/api/v1/shipments", rng.choice((401, 403))
        elif roll < 0.06:
            address, target, status = "203.0.113.6", "/", 200  # steady, never a flood
        lines.append(
            f'{address} - - [{stamp}] "{method} {target} HTTP/1.1" {status} 5 "-" "Mozilla/5.0"\n'
        )
    return lines


def test_it_decides_floods_probes_and_logins_as_before() -> None:
    rng = random.Random(9)
    # A flood: 700 requests in two seconds from one address, then from a CGNAT address.
    flood = [
        f'203.0.113.{n} - - [24/Nov/2026:12:00:0{s} +0000] "GET / HTTP/1.1" 200 5\n'
        for n in (50, 51)
        for s in (0, 1)
        for _ in range(350)
    ]
    cgnat = [
        f'100.64.9.9 - - [24/Nov/2026:12:00:0{s} +0000] "GET / HTTP/1.1" 200 5\n'
        for s in (0, 1, 2, 3)
        for _ in range(320)
    ]
    odd = _log(9, 2000, 1)
    fast, reference = _both(_attacks(rng) + flood + cgnat + odd)
    assert fast == reference
    decided = {(source, scenario) for source, scenario, *_ in fast[2]}
    assert decided >= {
        ("203.0.113.1", "exploit-probe"),
        ("203.0.113.2", "password-bruteforce"),
        ("203.0.113.3", "not-found-flood"),
        ("203.0.113.4", "tracking-enumeration"),
        ("203.0.113.5", "api-key-failures"),
        ("203.0.113.50", "request-flood"),
        ("100.64.9.9", "request-flood"),
    }
    assert not {source for source, _ in decided} & {"203.0.113.6", "198.18.0.1"}
