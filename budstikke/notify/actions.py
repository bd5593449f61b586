"""Every write of the SMS app. Shipments call `queue_shipment_notification` in the
transaction that changes a shipment's status; the message is delivered after commit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from budstikke.core import clock
from budstikke.notify import policy, segments, selectors, texts
from budstikke.notify.events import LANGUAGES, Event
from budstikke.notify.models import (
    AllowedCallingCode,
    CountryCodeRequest,
    NotificationSettings,
    OptOut,
    SmsMessage,
    SmsTemplate,
    TenantCallingCode,
)

if TYPE_CHECKING:
    from budstikke.accounts.models import User
    from budstikke.tenants.models import Tenant


class NotifyError(ValueError):
    """A request the caller can correct; the message is for the person who made it."""


def queue_shipment_notification(
    *,
    tenant: Tenant,
    event: str,
    phone: str,
    language: str,
    context: Mapping[str, object],
) -> SmsMessage | None:
    """Text the recipient about a shipment event, if the tenant texts this event.

    Writes the outbox row inside the caller's transaction (so it exists only if the status
    change commits). A number that may not be texted gives a `refused` row with the reason;
    None when the tenant does not text this event. `context` fills the placeholders
    company, tracking_link and time_window.
    """
    if event not in Event.values:
        raise ValueError(f"unknown SMS event {event!r}")
    if event not in selectors.settings_for(tenant).events:
        return None
    language = language if language in LANGUAGES else tenant.language
    if language not in LANGUAGES:
        language = LANGUAGES[0]
    body = texts.render(selectors.template_text(tenant, event, language), context)
    return queue_sms(tenant=tenant, phone=phone, body=body, event=event, language=language)


@transaction.atomic
def queue_sms(
    *, tenant: Tenant, phone: str, body: str, event: str = "", language: str = ""
) -> SmsMessage:
    """The outbox row: `queued`, or `refused` with its reason before any gateway is asked."""
    with translation.override(tenant.language):
        decision = policy.check(phone, tenant)
    info = segments.count(body)
    message = SmsMessage(
        tenant=tenant,
        phone=decision.e164 or phone.strip()[:64],
        body=body,
        event=event,
        language=language,
        calling_code=decision.calling_code,
        region=decision.region,
        segments=info.segments,
        encoding=info.encoding,
    )
    with translation.override(tenant.language):
        if not decision.allowed:
            _refuse(message, decision.reason)
        elif selectors.is_opted_out(tenant, decision.e164):
            _refuse(message, _("the recipient has opted out of SMS"))
    message.save()
    if message.status == SmsMessage.Status.QUEUED:
        pk = message.pk
        transaction.on_commit(lambda: _schedule(pk))
    return message


def _refuse(message: SmsMessage, reason: str) -> None:
    message.status = SmsMessage.Status.REFUSED
    message.reason = str(reason)[:300]
    message.finished_at = clock.now()


def _schedule(pk: int) -> None:
    from budstikke.notify.tasks import deliver_sms

    deliver_sms(pk)


# Tenant settings ----------------------------------------------------------------------


@transaction.atomic
def save_settings(
    *,
    tenant: Tenant,
    events: list[str],
    sender: str,
    monthly_cap: int,
    rate_per_minute: int,
    quiet_start: time,
    quiet_end: time,
) -> NotificationSettings:
    row: NotificationSettings
    row, _created = NotificationSettings.objects.update_or_create(
        tenant=tenant,
        defaults={
            "events": [event for event in Event.values if event in events],
            "sender": sender,
            "monthly_cap": monthly_cap,
            "rate_per_minute": rate_per_minute,
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
        },
    )
    return row


@transaction.atomic
def save_template(*, tenant: Tenant, event: str, language: str, body: str) -> SmsTemplate:
    unknown = texts.unknown_placeholders(body)
    if unknown:
        raise NotifyError(
            _("Unknown placeholder: %(names)s.") % {"names": ", ".join(f"{{{n}}}" for n in unknown)}
        )
    row: SmsTemplate
    row, _created = SmsTemplate.objects.update_or_create(
        tenant=tenant,
        event=event,
        language=language,
        defaults={"body": body, "updated_at": clock.now()},
    )
    return row


@transaction.atomic
def reset_template(*, tenant: Tenant, event: str, language: str) -> None:
    SmsTemplate.objects.for_tenant(tenant).filter(event=event, language=language).delete()


# Opt-outs ----------------------------------------------------------------------------


@transaction.atomic
def opt_out(*, tenant: Tenant, phone: str) -> OptOut:
    """Stop texting this number for this tenant (queued messages to it are refused too)."""
    decision = policy.check(phone, tenant)
    if not decision.e164:
        raise NotifyError(decision.reason)
    existing = OptOut.objects.for_tenant(tenant).find(phone=decision.e164)
    row: OptOut = (
        existing[0] if existing else OptOut.objects.create(tenant=tenant, phone=decision.e164)
    )
    with translation.override(tenant.language):
        reason = _("the recipient has opted out of SMS")
    for message in (
        SmsMessage.objects.for_tenant(tenant)
        .select_for_update()
        .filter(status=SmsMessage.Status.QUEUED)
        .find(phone=decision.e164)
    ):
        _refuse(message, reason)
        message.save(update_fields=["status", "reason", "finished_at"])
    return row


@transaction.atomic
def remove_opt_out(*, tenant: Tenant, opt_out_id: int) -> bool:
    deleted, _rows = OptOut.objects.for_tenant(tenant).filter(pk=opt_out_id).delete()
    return bool(deleted)


# Country codes -----------------------------------------------------------------------


def _valid_code(code: int) -> int:
    import phonenumbers

    if code not in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
        raise NotifyError(_("+%(code)s is not a country calling code.") % {"code": code})
    return code


@transaction.atomic
def request_country_code(
    *, tenant: Tenant, code: int, message: str, user: User
) -> CountryCodeRequest:
    _valid_code(code)
    if code in selectors.allowed_codes(tenant):
        raise NotifyError(_("You can already text +%(code)s.") % {"code": code})
    if (
        CountryCodeRequest.objects.for_tenant(tenant)
        .filter(code=code, status=CountryCodeRequest.Status.PENDING)
        .exists()
    ):
        raise NotifyError(_("A request for +%(code)s is already waiting.") % {"code": code})
    created: CountryCodeRequest = CountryCodeRequest.objects.create(
        tenant=tenant, code=code, message=message, requested_by=user
    )
    return created


@transaction.atomic
def decide_country_code_request(
    *, request_id: int, approve: bool, reason: str, operator: User
) -> CountryCodeRequest:
    """An operator's answer; approving grants the code to that tenant alone."""
    request: CountryCodeRequest = (
        CountryCodeRequest.objects.dangerously_unscoped()
        .select_for_update()
        .get(pk=request_id, status=CountryCodeRequest.Status.PENDING)
    )
    request.status = (
        CountryCodeRequest.Status.APPROVED if approve else CountryCodeRequest.Status.DECLINED
    )
    request.decision_reason = reason
    request.decided_by = operator
    request.decided_at = clock.now()
    request.save()
    if approve:
        grant_code(tenant=request.tenant, code=request.code, operator=operator, request=request)
    return request


@transaction.atomic
def grant_code(
    *,
    tenant: Tenant,
    code: int,
    operator: User | None,
    request: CountryCodeRequest | None = None,
) -> TenantCallingCode:
    _valid_code(code)
    grant: TenantCallingCode
    grant, _created = TenantCallingCode.objects.get_or_create(
        tenant=tenant, code=code, defaults={"granted_by": operator, "request": request}
    )
    return grant


@transaction.atomic
def revoke_grant(*, grant_id: int) -> bool:
    deleted, _rows = TenantCallingCode.objects.dangerously_unscoped().filter(pk=grant_id).delete()
    return bool(deleted)


@transaction.atomic
def allow_code(*, code: int) -> AllowedCallingCode:
    _valid_code(code)
    try:
        with transaction.atomic():
            return AllowedCallingCode.objects.create(code=code)
    except IntegrityError:
        return AllowedCallingCode.objects.get(code=code)


@transaction.atomic
def disallow_code(*, code: int) -> bool:
    deleted, _rows = AllowedCallingCode.objects.filter(code=code).delete()
    return bool(deleted)


def seed_default_codes() -> int:
    """Put the source document's 30 codes on the platform list (the data migration's job;
    tests whose database was flushed call it again). Returns how many were added."""
    added = 0
    for code in policy.DEFAULT_CALLING_CODES:
        _row, created = AllowedCallingCode.objects.get_or_create(code=code)
        added += int(created)
    return added
