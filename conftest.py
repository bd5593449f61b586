"""Fixtures every test shares: an HTTPS test client, a movable clock, synchronous jobs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from budstikke.core import clock as clock_module


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
def _immediate_jobs() -> Iterator[None]:
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture
def clock() -> type[clock_module.ClockControl]:
    return clock_module.ClockControl


def pytest_report_header() -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"budstikke database engine: {engine} ({connection.vendor})"
