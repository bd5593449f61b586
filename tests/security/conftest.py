"""Fixtures of the security suites."""

from __future__ import annotations

import pytest

from budstikke.tenants.testing import Personas


@pytest.fixture
def unbanned(personas: Personas) -> None:
    """The suites' own address is allow-listed: their hundreds of 404s, refused keys and
    rejected inputs would otherwise get the test client banned (the shield has its own
    tests), and the ban's plain 403 would then answer — and pass — everything after it."""
    from budstikke.shield.actions import allow

    allow("127.0.0.1/32", note="security test suites")
