"""`manage.py economic_simulator` serves the simulator over real loopback HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from budstikke.economic.client import EconomicClient
from budstikke.economic.errors import OutcomeUnknownError
from budstikke.economic.simulator import SIMULATOR_APP_SECRET
from budstikke.economic.tests.conftest import customer


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_command_serves_the_api_over_http(tmp_path: Path) -> None:
    port = _free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ECONOMIC_")}
    environ |= {"BUDSTIKKE_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "budstikke.settings"}
    server = subprocess.Popen(
        [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "economic_simulator",
            "--port",
            str(port),
            "--seed",
            "3",
            "--grant-token",
            "test-grant",
        ],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/self", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the simulator did not start")
                time.sleep(0.1)
        demo = httpx.get(
            f"{base}/customers",
            headers={"X-AppSecretToken": "demo", "X-AgreementGrantToken": "demo"},
        )
        assert demo.status_code == 200
        client = EconomicClient(
            "test-grant", app_secret_token=SIMULATOR_APP_SECRET, base_url=base, sleep=lambda s: None
        )
        customers = client.list_customers(page_size=2)
        assert [c["customerNumber"] for c in customers] == [1, 2, 3]
        assert customers[0]["self"] == f"{base}/customers/1"
        httpx.post(
            f"{base}/__simulator__/faults", json={"kind": "drop_after_commit", "method": "POST"}
        )
        with pytest.raises(OutcomeUnknownError):
            client.create_customer(customer())
        assert len(client.list_customers()) == 4
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "listening on http://127.0.0.1" in (server.stdout.read() if server.stdout else "")
