"""The platform allow-list is seeded by a data migration; a test database that another
test flushed (transactional tests) gets it back here, so every test starts from the 30."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from budstikke.tenants.testing import Personas


@pytest.fixture(autouse=True)
def _default_codes(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    from budstikke.notify.actions import seed_default_codes

    seed_default_codes()


@pytest.fixture
def personas(personas: Personas) -> Personas:
    """Both tenants write their SMS reasons in English here, as the tests read them."""
    for tenant in (personas.tenant_a, personas.tenant_b):
        tenant.language = "en"
        tenant.save(update_fields=["language"])
    return personas
