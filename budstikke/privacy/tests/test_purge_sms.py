"""SMS texts and numbers are blanked 90 days after the message, the row staying for
billing; the row itself goes 5 years after the end of its financial year."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from budstikke.core.clock import ClockControl
from budstikke.notify.models import SmsMessage
from budstikke.privacy import purge
from budstikke.tenants.models import Tenant
from budstikke.tenants.testing import Personas

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)


def _sms(tenant: Tenant, at: datetime, status: str = SmsMessage.Status.DELIVERED) -> SmsMessage:
    message: SmsMessage = SmsMessage.objects.create(
        tenant=tenant,
        phone="+4520123456",
        body="Hej Mette, din pakke kommer i dag mellem 10 og 12.",
        calling_code=45,
        region="DK",
        segments=1,
        status=status,
        created_at=at,
    )
    return message


def test_texts_older_than_90_days_are_blank_and_the_message_stays(
    personas: Personas, clock: type[ClockControl]
) -> None:
    old = _sms(personas.tenant_a, NOW - timedelta(days=91))
    recent = _sms(personas.tenant_a, NOW - timedelta(days=89))
    waiting = _sms(personas.tenant_a, NOW - timedelta(days=91), status=SmsMessage.Status.QUEUED)
    clock.freeze(NOW)
    run = purge.run()

    kept = SmsMessage.objects.for_tenant(personas.tenant_a).get(pk=old.pk)
    assert kept.body == ""
    assert kept.phone == ""
    assert kept.phone_index is None
    assert (kept.calling_code, kept.region, kept.segments, kept.status) == (
        45,
        "DK",
        1,
        "delivered",
    )
    # The text and number are gone from the row, not merely unreadable: no record is left.
    sealed = dict(SmsMessage.objects.values_list("pk", "sealed"))
    assert sealed[old.pk] is None
    assert sealed[recent.pk] is not None
    assert sealed[waiting.pk] is not None
    found = SmsMessage.objects.for_tenant(personas.tenant_a).find(phone="+4520123456")
    assert {m.pk for m in found} == {recent.pk, waiting.pk}
    assert SmsMessage.objects.for_tenant(personas.tenant_a).get(pk=recent.pk).body.startswith("Hej")
    count = run.counts.get(rule="notify.smsmessage.body")
    assert (count.tenant_id, count.action, count.count) == (personas.tenant_a.pk, "anonymise", 1)

    assert not purge.run().counts.filter(rule="notify.smsmessage.body").exists()


def test_the_message_row_goes_5_years_after_the_end_of_its_financial_year(
    personas: Personas, clock: type[ClockControl]
) -> None:
    of_2020 = _sms(personas.tenant_a, datetime(2020, 12, 31, 9, 0, tzinfo=UTC))
    # 00:30 on 1 January 2021 in Copenhagen is still 2020 in UTC: it belongs to 2021 (the
    # year is taken to end early enough for every zone, so it is never deleted too soon).
    of_2021 = _sms(personas.tenant_a, datetime(2020, 12, 31, 23, 30, tzinfo=UTC))
    clock.freeze(datetime(2025, 12, 31, 12, 0, tzinfo=UTC))
    purge.run()
    assert SmsMessage.objects.filter(pk=of_2020.pk).exists()
    clock.freeze(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    purge.run()
    assert not SmsMessage.objects.filter(pk=of_2020.pk).exists()
    assert SmsMessage.objects.filter(pk=of_2021.pk).exists()
    clock.freeze(datetime(2027, 1, 1, 12, 0, tzinfo=UTC))
    purge.run()
    assert not SmsMessage.objects.filter(pk=of_2021.pk).exists()


def test_a_rule_cannot_anonymise_part_of_a_record() -> None:
    with pytest.raises(TypeError, match="all of its record fields or none"):
        purge._Blanking.of(SmsMessage, ["body"])
