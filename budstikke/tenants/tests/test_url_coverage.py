"""Every tenant URL (a view wrapped by `tenant_view`) has a test proving an outsider gets
nothing from it. Add `@outsider_test("namespace:name")` to that test."""

from __future__ import annotations

import importlib
from pathlib import Path

from django.conf import settings

from budstikke.tenants.testing import OUTSIDER_TESTED, tenant_urls


def _import_every_test_module() -> None:
    root = Path(settings.BASE_DIR)
    for path in sorted([*root.glob("budstikke/**/tests/test_*.py"), *root.glob("tests/test_*.py")]):
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        importlib.import_module(module)


def test_every_tenant_url_has_an_outsider_test() -> None:
    _import_every_test_module()
    names = {name for name, _view in tenant_urls()}
    assert names, "no tenant URLs found: is tenant_view still marking views?"
    missing = sorted(names - OUTSIDER_TESTED)
    assert missing == [], f"tenant URLs without an outsider test: {missing}"


def test_the_walk_finds_known_tenant_urls() -> None:
    names = {name for name, _view in tenant_urls()}
    assert {"tenants:home", "tenants:members", "apikeys:list"} <= names
    assert "tenants:invitation-accept" not in names
    assert "ops:tenants" not in names
