"""The outbox: refused before any cost, retries with backoff, cost guards, quiet hours,
opt-outs — all seen through what the fake gateway received and what the row says."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest

from budstikke.core import clock
from budstikke.notify import actions, gateways, outbox
from budstikke.notify.gateways import GatewayApiGateway
from budstikke.notify.models import SmsMessage
from budstikke.notify.testing import GATEWAYAPI_TOKEN, FakeGatewayApi
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db
Status = SmsMessage.Status
DAYTIME = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # 11:00 in Copenhagen


@pytest.fixture
def fake() -> Iterator[FakeGatewayApi]:
    clock.freeze(DAYTIME)
    fake = FakeGatewayApi()
    with gateways.use_transport(fake.transport()):
        yield fake


def _gateway() -> GatewayApiGateway:
    return GatewayApiGateway("https://gatewayapi.eu", GATEWAYAPI_TOKEN)


def _queue(personas: Personas, phone: str = "+4520123456", body: str = "Hej") -> SmsMessage:
    return actions.queue_sms(tenant=personas.tenant_a, phone=phone, body=body)


def _row(message: SmsMessage) -> SmsMessage:
    row: SmsMessage = SmsMessage.objects.for_tenant(message.tenant).get(pk=message.pk)
    return row


def test_a_queued_message_is_sent_once_with_its_reference(
    fake: FakeGatewayApi, personas: Personas
) -> None:
    message = _queue(personas)
    assert outbox.deliver(message.pk, _gateway()) == Status.SENT
    assert outbox.deliver(message.pk, _gateway()) is None
    row = _row(message)
    assert row.status == Status.SENT
    assert row.provider_id == "1001"
    assert fake.references() == [str(message.reference)]


def test_a_number_outside_the_allowed_codes_is_refused_before_any_gateway(
    fake: FakeGatewayApi, personas: Personas
) -> None:
    message = _queue(personas, phone="+436641234567")
    assert message.status == Status.REFUSED
    assert message.reason == "country code +43 is not enabled"
    assert outbox.deliver_due(_gateway()) == {}
    assert fake.received == []


def test_the_reason_is_written_in_the_tenants_language(personas: Personas) -> None:
    personas.tenant_a.language = "da"
    personas.tenant_a.save()
    message = _queue(personas, phone="+12015550123")
    assert message.reason == "landekode +1 er ikke slået til"


def test_an_invalid_number_is_refused_not_a_crash(fake: FakeGatewayApi, personas: Personas) -> None:
    message = _queue(personas, phone="not a number")
    assert message.status == Status.REFUSED
    assert _row(message).phone == "not a number"
    assert fake.received == []


def test_a_code_removed_after_queueing_is_refused_at_delivery(
    fake: FakeGatewayApi, personas: Personas
) -> None:
    message = _queue(personas, phone="+46701234567")
    actions.disallow_code(code=46)
    assert outbox.deliver(message.pk, _gateway()) == Status.REFUSED
    assert fake.received == []


def test_server_errors_are_retried_with_growing_backoff(
    fake: FakeGatewayApi, personas: Personas
) -> None:
    fake.fail_with = [503, 503]
    message = _queue(personas)
    assert outbox.deliver(message.pk, _gateway()) == Status.QUEUED
    first_wait = _row(message).next_attempt_at - clock.now()
    assert outbox.deliver(message.pk, _gateway()) is None  # not due yet
    clock.advance(first_wait)
    assert outbox.deliver(message.pk, _gateway()) == Status.QUEUED
    second_wait = _row(message).next_attempt_at - clock.now()
    assert second_wait == 2 * first_wait
    clock.advance(second_wait)
    assert outbox.deliver_due(_gateway()) == {Status.SENT: 1}
    assert len(fake.received) == 3
    assert set(fake.references()) == {str(message.reference)}


def test_it_gives_up_after_the_last_attempt(fake: FakeGatewayApi, personas: Personas) -> None:
    fake.fail_with = [500] * outbox.MAX_ATTEMPTS
    message = _queue(personas)
    for _attempt in range(outbox.MAX_ATTEMPTS):
        clock.advance(timedelta(hours=1))
        outbox.deliver_due(_gateway())
    row = _row(message)
    assert row.status == Status.FAILED
    assert row.reason.startswith("HTTP 500")
    assert len(fake.received) == outbox.MAX_ATTEMPTS


def test_the_monthly_cap_refuses_the_message_over_it(
    fake: FakeGatewayApi, personas: Personas
) -> None:
    options = actions.save_settings(
        tenant=personas.tenant_a,
        events=[],
        sender="",
        monthly_cap=2,
        rate_per_minute=60,
        quiet_start=time(21),
        quiet_end=time(8),
    )
    assert options.monthly_cap == 2
    messages = [_queue(personas) for _ in range(3)]
    outcomes = [outbox.deliver(m.pk, _gateway()) for m in messages]
    assert outcomes == [Status.SENT, Status.SENT, Status.REFUSED]
    assert _row(messages[2]).reason == "the monthly limit of 2 SMS is reached"
    assert len(fake.received) == 2
    # Another tenant's budget is its own.
    other = actions.queue_sms(tenant=personas.tenant_b, phone="+4520123456", body="Hej")
    assert outbox.deliver(other.pk, _gateway()) == Status.SENT


def test_the_rate_limit_holds_messages_for_the_next_minute(
    fake: FakeGatewayApi, personas: Personas
) -> None:
    actions.save_settings(
        tenant=personas.tenant_a,
        events=[],
        sender="",
        monthly_cap=100,
        rate_per_minute=2,
        quiet_start=time(21),
        quiet_end=time(8),
    )
    messages = [_queue(personas) for _ in range(3)]
    assert outbox.deliver_due(_gateway()) == {Status.SENT: 2, "held": 1}
    held = _row(messages[2])
    assert held.status == Status.QUEUED
    assert held.hold == "rate limit"
    clock.advance(timedelta(seconds=61))
    assert outbox.deliver_due(_gateway()) == {Status.SENT: 1}


def test_quiet_hours_hold_a_message_until_morning_in_the_tenants_zone(
    fake: FakeGatewayApi, personas: Personas
) -> None:
    clock.freeze(datetime(2026, 3, 10, 21, 30, tzinfo=UTC))  # 22:30 in Copenhagen
    message = _queue(personas)
    assert outbox.deliver(message.pk, _gateway()) == "held"
    row = _row(message)
    assert row.next_attempt_at == datetime(2026, 3, 11, 7, 0, tzinfo=UTC)  # 08:00 CET
    assert row.hold == "quiet hours"
    clock.freeze(datetime(2026, 3, 11, 6, 59, tzinfo=UTC))
    assert outbox.deliver_due(_gateway()) == {}
    clock.freeze(datetime(2026, 3, 11, 7, 0, tzinfo=UTC))
    assert outbox.deliver_due(_gateway()) == {Status.SENT: 1}
    assert len(fake.received) == 1


def test_quiet_hours_follow_the_tenants_own_zone(fake: FakeGatewayApi, personas: Personas) -> None:
    personas.tenant_a.timezone = "Europe/Helsinki"
    personas.tenant_a.save()
    clock.freeze(datetime(2026, 3, 10, 19, 30, tzinfo=UTC))  # 21:30 Helsinki, 20:30 Copenhagen
    assert outbox.deliver(_queue(personas).pk, _gateway()) == "held"
    other = actions.queue_sms(tenant=personas.tenant_b, phone="+4520123456", body="Hej")
    assert outbox.deliver(other.pk, _gateway()) == Status.SENT


def test_an_opted_out_recipient_is_not_texted(fake: FakeGatewayApi, personas: Personas) -> None:
    queued_before = _queue(personas, phone="+45 20 12 34 56")
    actions.opt_out(tenant=personas.tenant_a, phone="20123456")  # national form, same number
    assert _row(queued_before).status == Status.REFUSED
    later = _queue(personas, phone="+4520123456")
    assert later.status == Status.REFUSED
    assert later.reason == "the recipient has opted out of SMS"
    # Tenant B never heard of the opt-out.
    other = actions.queue_sms(tenant=personas.tenant_b, phone="+4520123456", body="Hej")
    assert other.status == Status.QUEUED
    outbox.deliver_due(_gateway())
    assert fake.references() == [str(other.reference)]


def test_phone_and_text_are_stored_encrypted(personas: Personas) -> None:
    message = _queue(personas, body="Din pakke til Strandvejen 1")
    raw = bytes(SmsMessage.objects.for_tenant(personas.tenant_a).values_list("sealed").get()[0])
    assert b"Strandvejen" not in raw
    assert b"20123456" not in raw
    assert _row(message).body == "Din pakke til Strandvejen 1"


def test_segments_are_recorded_for_billing(personas: Personas) -> None:
    message = _queue(personas, body="x" * 161)
    assert (message.segments, message.encoding) == (2, "GSM-7")
    assert (message.calling_code, message.region) == (45, "DK")
