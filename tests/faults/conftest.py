"""Fault suite fixtures.

Two kinds of tests live here. The e-conomic faults run in-process against the simulator and
are part of `make test`. The process-level faults (PostgreSQL restarted, Redis killed, worker
killed) start private processes and take tens of seconds: they carry the `faults` marker and
are skipped unless `BUDSTIKKE_FAULTS=1` is set (`make faults` sets it).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.processes import Installation, PrivatePostgres, PrivateRedis

FAULTS_ENV = "BUDSTIKKE_FAULTS"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"faults: process-level fault test (private PostgreSQL/Redis/server); runs only with "
        f"{FAULTS_ENV}=1",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(FAULTS_ENV) == "1":
        return
    skip = pytest.mark.skip(reason=f"process-level fault test: set {FAULTS_ENV}=1 (make faults)")
    for item in items:
        if item.get_closest_marker("faults") is not None:
            item.add_marker(skip)


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A directory for one installation's data and keys (removed afterwards)."""
    root = Path(tempfile.mkdtemp(prefix="bsk-faults-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    cluster = PrivatePostgres()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def installations() -> Iterator[list[Installation]]:
    """Installations a test makes; their processes are stopped however the test ends."""
    made: list[Installation] = []
    yield made
    for installation in made:
        installation.stop()
