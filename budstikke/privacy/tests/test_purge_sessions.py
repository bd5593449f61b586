"""Sessions are deleted once they have expired; a live session stays signed in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from budstikke.core import clock as real_clock
from budstikke.core.clock import ClockControl
from budstikke.privacy import purge
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db


def test_expired_sessions_are_gone_and_live_ones_stay(
    personas: Personas, alice_client: Client, bob_client: Client, clock: type[ClockControl]
) -> None:
    assert alice_client.get("/tenant/").status_code == 200
    alice_key = alice_client.session.session_key
    bob_key = bob_client.session.session_key
    Session.objects.filter(session_key=bob_key).update(
        expire_date=real_clock.now() - timedelta(seconds=1)
    )
    run = purge.run()
    assert set(Session.objects.values_list("session_key", flat=True)) == {alice_key}
    assert run.counts.get(rule="sessions.session").count == 1
    assert alice_client.get("/tenant/").status_code == 200

    clock.advance(timedelta(days=1))  # past the absolute lifetime of every session
    purge.run()
    assert not Session.objects.exists()
    assert alice_client.get("/tenant/").status_code == 302


def test_the_record_of_a_session_ip_and_browser_goes_with_it(
    personas: Personas, alice_client: Client, clock: type[ClockControl]
) -> None:
    from allauth.usersessions.models import UserSession

    alice_client.get("/tenant/")
    UserSession.objects.get_or_create(
        session_key=alice_client.session.session_key,
        defaults={"user": personas.alice, "ip": "192.0.2.5", "user_agent": "Firefox/140"},
    )
    orphan = UserSession.objects.create(
        session_key="gone" * 8, user=personas.alice, ip="192.0.2.6", user_agent="Safari"
    )
    run = purge.run()
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [
        alice_client.session.session_key
    ]
    assert not UserSession.objects.filter(pk=orphan.pk).exists()
    assert run.counts.get(rule="usersessions.usersession").count == 1

    clock.advance(timedelta(days=1))
    run = purge.run()
    assert not UserSession.objects.exists()
    assert run.counts.get(rule="usersessions.usersession").count == 1
