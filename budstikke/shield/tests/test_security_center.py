"""The security center is for operators only; it shows bans, the chart, the country policy
and the GeoIP source with its date, and lets the operator ban, unban, pin and unpin."""

from __future__ import annotations

import pytest
from django.test import Client

from budstikke.shield import actions, selectors
from budstikke.shield.events import record
from budstikke.shield.models import CountryPolicy, PolicyRevision, SecurityEvent

from .conftest import Person

pytestmark = pytest.mark.django_db
CENTER = "/ops/shield/"


def test_anonymous_and_ordinary_users_get_a_404(client: Client, victim: Person) -> None:
    assert client.get(CENTER).status_code == 404
    client.force_login(victim.user)
    assert client.get(CENTER).status_code == 404
    assert client.post(CENTER + "ban", {"network": "192.0.2.1"}).status_code == 404
    assert not selectors.active_bans().exists()


def test_the_operator_sees_bans_chart_and_geoip_source(client: Client, operator: Person) -> None:
    record(SecurityEvent.Kind.EXPLOIT_PROBE, ip="36.0.0.1")
    actions.manual_ban("203.0.113.90", 3, "abuse report", None)
    client.force_login(operator.user)
    page = client.get(CENTER)
    assert page.status_code == 200
    html = page.content.decode()
    assert "iptocc" in html
    assert "data of 20" in html
    assert "203.0.113.90" in html
    assert "abuse report" in html
    assert "<polyline" in html
    assert "CN" in html
    assert "<script" not in html.split("</head>", 1)[1]


def test_the_operator_bans_unbans_pins_and_unpins(client: Client, operator: Person) -> None:
    client.force_login(operator.user)
    response = client.post(CENTER + "ban", {"network": "203.0.113.91", "hours": 2, "reason": "x"})
    assert response.status_code == 302
    ban = selectors.active_ban_for("203.0.113.91")
    assert ban is not None
    assert ban.created_by == operator.user
    client.post(f"{CENTER}bans/{ban.pk}/unban")
    assert selectors.active_ban_for("203.0.113.91") is None

    bad = client.post(
        CENTER + "ban", {"network": "not an address", "hours": 2, "reason": "x"}, follow=True
    )
    assert "Enter an IP address" in bad.content.decode()

    client.post(CENTER + "countries/pin", {"country": "kp", "state": "blocked"})
    policy = CountryPolicy.objects.get(country="KP")
    assert policy.restricted
    assert policy.full_block
    assert policy.pinned
    client.post(CENTER + "countries/KP/unpin")
    assert not CountryPolicy.objects.get(country="KP").pinned
    assert list(PolicyRevision.objects.values_list("action", flat=True)) == ["unpin", "pin"]


def test_an_operator_cannot_ban_an_allow_listed_office(client: Client, operator: Person) -> None:
    client.force_login(operator.user)
    client.post(CENTER + "allow", {"network": "192.0.2.0/24", "note": "office"})
    page = client.post(
        CENTER + "ban", {"network": "192.0.2.9", "hours": 1, "reason": "x"}, follow=True
    )
    assert "allow-list" in page.content.decode()
    assert not selectors.active_bans().exists()
