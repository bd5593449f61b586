"""Fixtures of the SMS tests (the root conftest restores the seeded allow-list)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from budstikke.tenants.testing import Personas


@pytest.fixture
def personas(personas: Personas) -> Personas:
    """Both tenants write their SMS reasons in English here, as the tests read them."""
    for tenant in (personas.tenant_a, personas.tenant_b):
        tenant.language = "en"
        tenant.save(update_fields=["language"])
    return personas
