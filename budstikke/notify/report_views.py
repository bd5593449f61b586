"""Delivery-report callbacks from the gateways. Unauthenticated by session, so each report
must carry the gateway's signature; a forged one is refused and becomes a security event."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from budstikke.notify import callbacks, outbox
from budstikke.shield.events import record
from budstikke.shield.models import SecurityEvent

log = logging.getLogger(__name__)


def _refused(request: HttpRequest, gateway: str) -> HttpResponse:
    record(SecurityEvent.Kind.API_KEY_FAILED, request=request, channel=f"sms_report:{gateway}")
    return HttpResponse(status=403)


def _apply(report: callbacks.Report | None) -> HttpResponse:
    if report is not None and not outbox.apply_report(
        reference=report.reference,
        outcome=report.outcome,
        provider_id=report.provider_id,
        reason=report.reason,
    ):
        log.info("delivery report for an unknown reference ignored")
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def gatewayapi(request: HttpRequest) -> HttpResponse:
    try:
        report = callbacks.gatewayapi_report(
            request.headers.get("X-Gwapi-Signature", ""),
            settings.SMS_GATEWAYAPI_WEBHOOK_SECRET or "",
        )
    except callbacks.BadSignatureError:
        return _refused(request, "gatewayapi")
    return _apply(report)


@csrf_exempt
@require_POST
def twilio(request: HttpRequest) -> HttpResponse:
    try:
        report = callbacks.twilio_report(
            settings.PUBLIC_URL + request.get_full_path(),
            [(name, value) for name, values in request.POST.lists() for value in values],
            request.headers.get("X-Twilio-Signature", ""),
            settings.SMS_TWILIO_AUTH_TOKEN or "",
            {name: str(value) for name, value in request.GET.items()},
        )
    except callbacks.BadSignatureError:
        return _refused(request, "twilio")
    return _apply(report)
