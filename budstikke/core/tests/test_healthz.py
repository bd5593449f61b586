from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from budstikke.core import clock
from budstikke.core.health import record_heartbeat
from budstikke.core.tasks import heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_login_and_names_no_tenant(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["worker"]["status"] == "never seen"


def test_the_worker_heartbeat_task_makes_the_worker_healthy(client: Any) -> None:
    heartbeat()
    assert client.get("/healthz").json()["worker"]["status"] == "ok"


def test_a_silent_worker_shows_as_stale(client: Any) -> None:
    record_heartbeat("worker")
    clock.advance(timedelta(minutes=10))
    worker = client.get("/healthz").json()["worker"]
    assert worker["status"] == "stale"
    assert worker["heartbeat_age_seconds"] >= 600


def test_metrics_are_served_to_loopback(client: Any) -> None:
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert b"budstikke_database_up 1.0" in response.content


def test_metrics_are_hidden_from_the_internet(client: Any) -> None:
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 404


def test_metrics_ignore_a_forged_forwarded_for(client: Any) -> None:
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert response.status_code == 404
