"""Fixtures every test shares: an HTTPS test client, a movable clock, synchronous jobs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection
from django.test import Client

from budstikke.core import clock as clock_module

if TYPE_CHECKING:
    from budstikke.tenants.testing import Personas


class HttpsClient(Client):
    """Budstikke serves only HTTPS, so the test client speaks nothing else."""

    def generic(  # type: ignore[override]
        self, method: str, path: str, *args: Any, **kwargs: Any
    ) -> Any:
        kwargs["secure"] = True
        return super().generic(method, path, *args, **kwargs)


@pytest.fixture
def client() -> HttpsClient:
    return HttpsClient()


@pytest.fixture(autouse=True)
def _english_and_fresh_clock(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    clock_module.reset()
    yield
    clock_module.reset()


@pytest.fixture(autouse=True)
def _private_keys_dir(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test has its own keys directory (KEK + keyring) and no unwrapped key cached
    from another test."""
    from budstikke.vault import keys

    settings.KEYS_DIR = tmp_path_factory.mktemp("keys")
    keys.reset()
    yield
    keys.reset()


@pytest.fixture(autouse=True)
def _immediate_jobs() -> Iterator[None]:
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Rate limits and used one-time codes start afresh in every test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def redis_unreachable(settings: Any) -> str:
    """The production cache (Redis) at an address where nothing listens: Redis is down.
    Returns that address."""
    url = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "budstikke.core.cache.DegradingRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    return url


@pytest.fixture(autouse=True)
def _fresh_shield() -> Iterator[None]:
    """Bans live in process memory too: no test inherits another's."""
    from budstikke.shield import enforcement

    enforcement.reset(loaded=True)
    yield
    enforcement.reset(loaded=True)


@pytest.fixture(autouse=True)
def _seeded_rows(request: pytest.FixtureRequest) -> None:
    """Data migrations seed rows (the SMS allow-list); a transactional test's flush removes
    them, so a database test that follows on the same worker gets them back here."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    from budstikke.notify.actions import seed_default_codes
    from budstikke.notify.models import AllowedCallingCode

    if not AllowedCallingCode.objects.exists():
        seed_default_codes()


@pytest.fixture
def clock() -> type[clock_module.ClockControl]:
    return clock_module.ClockControl


@pytest.fixture
def personas(db: None) -> Personas:
    """Alice (admin), Bob (dispatcher), Carl (courier) of tenant A "Alfa Kurer"; Charlie
    (admin of tenant B "Beta Bud", an outsider to A); Olga (platform operator)."""
    from budstikke.tenants.testing import make_personas

    return make_personas()


def _signed_in(user: Any) -> HttpsClient:
    from budstikke.tenants.testing import log_in

    client = HttpsClient()
    log_in(client, user)
    return client


@pytest.fixture
def alice_client(personas: Personas) -> HttpsClient:
    return _signed_in(personas.alice)


@pytest.fixture
def bob_client(personas: Personas) -> HttpsClient:
    return _signed_in(personas.bob)


@pytest.fixture
def carl_client(personas: Personas) -> HttpsClient:
    return _signed_in(personas.carl)


@pytest.fixture
def charlie_client(personas: Personas) -> HttpsClient:
    return _signed_in(personas.charlie)


@pytest.fixture
def olga_client(personas: Personas) -> HttpsClient:
    return _signed_in(personas.olga)


def pytest_report_header() -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"budstikke database engine: {engine} ({connection.vendor})"
