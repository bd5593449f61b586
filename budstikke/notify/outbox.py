"""Delivery of the SMS outbox (ARCHITECTURE invariant 3).

One message at a time: in a short transaction the row is locked, checked again (policy,
opt-out, quiet hours, monthly cap, rate limit) and claimed as `sending` with its gateway
recorded; the gateway is called outside any transaction; the outcome is written only if the
claim is still ours. A worker killed after the gateway took the message leaves the row in
`sending`: it is not sent again while a delivery report naming its reference may still
arrive (`SMS_UNCERTAIN_SECONDS`); that report settles it. Only a send no report ever
confirmed is tried again, with the same reference.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from budstikke.core import clock
from budstikke.core.outbox import Schedule
from budstikke.notify import gateways, policy, selectors
from budstikke.notify.models import NotificationSettings, SmsMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# How long a worker may take over one gateway call before the claim counts as abandoned.
CLAIM_SECONDS = 120
Status = SmsMessage.Status


SCHEDULE = Schedule(
    waiting=Status.QUEUED,
    max_attempts=MAX_ATTEMPTS,
    claim_for=timedelta(seconds=CLAIM_SECONDS),
    first_wait=timedelta(seconds=30),  # 30 s, 1 min, 2 min, … an hour at most
    longest_wait=timedelta(hours=1),
)


def callback_url(gateway: str, reference: str) -> str:
    if gateway == "twilio":
        return (
            settings.PUBLIC_URL
            + reverse("notify:callback-twilio")
            + "?"
            + urlencode({"ref": reference})
        )
    return settings.PUBLIC_URL + reverse("notify:callback-gatewayapi")


def quiet_until(now: datetime, zone: str, start: time, end: time) -> datetime | None:
    """The end of the quiet hours if `now` falls inside them (in the tenant's zone)."""
    if start == end:
        return None
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    moment = local.time()
    if start < end:
        inside = start <= moment < end
        day = local.date()
    else:
        inside = moment >= start or moment < end
        day = local.date() + timedelta(days=1) if moment >= start else local.date()
    if not inside:
        return None
    return datetime.combine(day, end, tzinfo=tz)


def _uncertain(row: SmsMessage, now: datetime) -> bool:
    """An interrupted send whose fate a delivery report may still tell."""
    if row.gateway in ("", "console") or row.claimed_until is None:
        return False
    return now < row.claimed_until + timedelta(seconds=settings.SMS_UNCERTAIN_SECONDS)


def _finish(row: SmsMessage, status: str, reason: str, now: datetime) -> str:
    row.status = status
    row.reason = reason[:300]
    row.hold = ""
    row.finished_at = now
    row.claimed_until = None
    row.save(update_fields=["status", "reason", "hold", "finished_at", "claimed_until"])
    return status


def _hold(row: SmsMessage, until: datetime, why: str) -> str:
    row.next_attempt_at = until
    row.hold = why[:100]
    row.save(update_fields=["next_attempt_at", "hold"])
    return "held"


def _prepare(pk: int, gateway_name: str) -> tuple[SmsMessage | None, str | None]:
    """Lock, re-check and claim one message. Returns (claimed row, None) or (None, outcome)."""
    now = clock.now()
    row: SmsMessage | None = (
        SmsMessage.objects.dangerously_unscoped()
        .select_for_update()
        .select_related("tenant")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        return None, None
    due = row.status == Status.QUEUED and row.next_attempt_at <= now
    abandoned = (
        row.status == Status.SENDING and row.claimed_until is not None and row.claimed_until < now
    )
    if not (due or abandoned) or (abandoned and _uncertain(row, now)):
        return None, None
    tenant = row.tenant
    # The settings row is the tenant's lock: cap and rate are counted one claim at a time.
    locked: NotificationSettings | None = (
        NotificationSettings.objects.for_tenant(tenant).select_for_update().first()
    )
    options = locked or selectors.settings_for(tenant)
    with translation.override(tenant.language):
        decision = policy.check(row.phone, tenant)
        if not decision.allowed:
            return None, _finish(row, Status.REFUSED, decision.reason, now)
        if selectors.is_opted_out(tenant, decision.e164):
            return None, _finish(row, Status.REFUSED, _("the recipient has opted out of SMS"), now)
        if row.status == Status.QUEUED:
            morning = quiet_until(now, tenant.timezone, options.quiet_start, options.quiet_end)
            if morning is not None:
                return None, _hold(row, morning, _("quiet hours"))
            if selectors.sent_this_month(tenant) >= options.monthly_cap:
                return None, _finish(
                    row,
                    Status.REFUSED,
                    _("the monthly limit of %(cap)s SMS is reached") % {"cap": options.monthly_cap},
                    now,
                )
            window = now - timedelta(minutes=1)
            recent = list(
                SmsMessage.objects.for_tenant(tenant)
                .filter(claimed_at__gt=window)
                .order_by("claimed_at")
                .values_list("claimed_at", flat=True)[: options.rate_per_minute]
            )
            if len(recent) >= options.rate_per_minute:
                return None, _hold(row, recent[0] + timedelta(minutes=1), _("rate limit"))
    row.hold = ""
    row.gateway = gateway_name
    row.claimed_at = now
    row.save(update_fields=[*SCHEDULE.claim_locked(row, now), "hold", "gateway", "claimed_at"])
    return row, None


def deliver(pk: int, gateway: gateways.Gateway | None = None) -> str | None:
    """Send one message if it is due; returns what became of it (None: not due, or
    another worker has it)."""
    gateway = gateway or gateways.configured()
    with transaction.atomic():
        row, outcome = _prepare(pk, gateway.name)
    if row is None:
        return outcome
    options = selectors.settings_for(row.tenant)
    outgoing = gateways.Outgoing(
        reference=str(row.reference),
        to=row.phone,
        body=row.body,
        sender=options.sender or settings.SMS_SENDER,
        encoding=row.encoding,
        callback_url=callback_url(gateway.name, str(row.reference)),
    )
    mine = SCHEDULE.mine(SmsMessage.objects.dangerously_unscoped(), row)
    try:
        accepted = gateway.send(outgoing)
    except gateways.GatewayError as error:
        now = clock.now()
        retry = SCHEDULE.retry(row.attempts, now)
        if error.retryable and retry["status"] == Status.QUEUED:
            mine.update(**retry, reason=error.reason[:300])
            log.warning("sms %s attempt %s failed, will retry", row.reference, row.attempts)
            return Status.QUEUED
        mine.update(
            status=Status.FAILED, claimed_until=None, finished_at=now, reason=error.reason[:300]
        )
        log.warning("sms %s failed for good after %s attempts", row.reference, row.attempts)
        return Status.FAILED
    now = clock.now()
    updated = mine.update(
        status=Status.SENT, claimed_until=None, sent_at=now, provider_id=accepted.provider_id
    )
    if not updated:
        # A delivery report got here first; keep its status and fill in the gateway's id.
        SmsMessage.objects.dangerously_unscoped().filter(pk=pk, provider_id="").update(
            provider_id=accepted.provider_id
        )
    return Status.SENT


def due(limit: int = 500) -> list[int]:
    return SCHEDULE.due_ids(SmsMessage.objects.dangerously_unscoped(), limit)


def deliver_due(gateway: gateways.Gateway | None = None) -> dict[str, int]:
    """Everything due now (the periodic sweep and `manage.py sms deliver`): counts per outcome."""
    gateway = gateway or gateways.configured()
    outcomes: dict[str, int] = {}
    for pk in due():
        outcome = deliver(pk, gateway)
        if outcome is not None:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


# Delivery reports --------------------------------------------------------------------

REPORT_SENT = "sent"
REPORT_DELIVERED = "delivered"
REPORT_FAILED = "failed"


@transaction.atomic
def apply_report(*, reference: str, outcome: str, provider_id: str = "", reason: str = "") -> bool:
    """A gateway's delivery report moves a message forward, never back. False when no
    message has this reference."""
    row: SmsMessage | None = (
        SmsMessage.objects.dangerously_unscoped()
        .select_for_update()
        .filter(reference=reference)
        .first()
    )
    if row is None:
        return False
    now = clock.now()
    fields = {"status", "claimed_until"}
    if provider_id and not row.provider_id:
        row.provider_id = provider_id[:100]
        fields.add("provider_id")
    if row.status in (Status.QUEUED, Status.SENDING):
        row.sent_at = row.sent_at or now
        fields.add("sent_at")
        row.status = Status.SENT
    if row.status == Status.SENT and outcome == REPORT_DELIVERED:
        row.status = Status.DELIVERED
        row.finished_at = now
        fields.add("finished_at")
    elif row.status == Status.SENT and outcome == REPORT_FAILED:
        row.status = Status.FAILED
        row.finished_at = now
        row.reason = reason[:300]
        fields.update({"finished_at", "reason"})
    row.claimed_until = None
    row.save(update_fields=sorted(fields))
    return True
