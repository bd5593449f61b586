"""An allow-listed address (an operator, a load balancer's health checks, a load generator)
is never banned, and so is never refused for sending many requests either; others are."""

from __future__ import annotations

import pytest
from django.test import Client

from budstikke.core import clock as clock_module
from budstikke.shield import actions, enforcement
from budstikke.shield.models import SecurityEvent

pytestmark = pytest.mark.django_db

FLOOD_CAPACITY = 600  # request-flood in budstikke/shield/data/scenarios.toml


def test_an_allow_listed_address_is_not_refused_for_volume(
    client: Client, clock: type[clock_module.ClockControl]
) -> None:
    actions.allow("192.0.2.10/32", note="load balancer")
    enforcement.reset()
    clock.freeze(clock_module.now())  # the bucket does not drain: every request counts
    statuses = {client.get("/healthz", REMOTE_ADDR="192.0.2.10").status_code for _ in range(650)}
    assert 403 not in statuses
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.RATE_FLOOD).exists()


def test_anyone_else_is_refused_past_the_flood_capacity(
    client: Client, clock: type[clock_module.ClockControl]
) -> None:
    clock.freeze(clock_module.now())
    statuses = [
        client.get("/healthz", REMOTE_ADDR="192.0.2.11").status_code
        for _ in range(FLOOD_CAPACITY + 1)
    ]
    assert 403 not in statuses[:FLOOD_CAPACITY]
    assert statuses[-1] == 403
