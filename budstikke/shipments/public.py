"""The public tracking page, `/t/<tracking number>`: no login, so it shows only status,
timeline and time window; recipient and addresses appear only after the visitor also
types the delivery postcode (a second factor the sender gave the recipient, not the world).

Every unknown number and wrong postcode is a TRACKING_LOOKUP_FAILED security event, so
enumeration shows up in the shield; lookups are rate-limited per client address.
"""

from __future__ import annotations

import hmac
import re

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from budstikke.core import clock
from budstikke.shield.events import record
from budstikke.shield.models import SecurityEvent
from budstikke.shipments import numbers, selectors
from budstikke.shipments.models import Shipment

LOOKUPS_PER_MINUTE = 30
POSTCODE_TRIES_PER_HOUR = 5
LANGUAGES = ("da", "en")


def _over_limit(bucket: str, limit: int, seconds: int) -> bool:
    """Fixed-window counter in the shared cache (Redis when several web nodes run)."""
    window = int(clock.now().timestamp()) // seconds
    key = f"shipments:track:{bucket}:{window}"
    if cache.add(key, 1, timeout=seconds + 5):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=seconds + 5)
        return False
    return count > limit


def _client(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _language(request: HttpRequest) -> str:
    wanted = request.GET.get("lang", "")
    return wanted if wanted in LANGUAGES else translation.get_language() or "da"


def _normal_postcode(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


@never_cache
@require_http_methods(["GET"])
def search(request: HttpRequest) -> HttpResponse:
    """`/t/?number=…` from the search box on the landing page."""
    number = numbers.normalise(request.GET.get("number", ""))[:40]
    language = _language(request)
    if number:
        response = redirect("shipments-public:track", number=number)
        if language in LANGUAGES and "lang" in request.GET:
            response["Location"] += f"?lang={language}"
        return response
    with translation.override(language):
        return render(request, "shipments/public/search.html", {"language": language})


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, number: str) -> HttpResponse:
    language = _language(request)
    with translation.override(language):
        response = _track(request, numbers.normalise(number)[:40], language)
        response["Content-Language"] = language
        return response


def _track(request: HttpRequest, number: str, language: str) -> HttpResponse:
    ip = _client(request)
    if _over_limit(f"ip:{ip}", LOOKUPS_PER_MINUTE, 60):
        record(SecurityEvent.Kind.RATE_FLOOD, request=request, area="tracking")
        response = render(
            request,
            "shipments/public/limited.html",
            {"language": language, "number": number},
            status=429,
        )
        response["Retry-After"] = "60"
        return response
    shipment = None
    if numbers.is_well_formed(number):
        shipment = (
            Shipment.objects.dangerously_unscoped()
            .select_related("tenant")
            .filter(tracking_number=number)
            .first()
        )
    if shipment is None:
        record(
            SecurityEvent.Kind.TRACKING_LOOKUP_FAILED,
            request=request,
            number=number[:32],
            reason="unknown" if numbers.is_well_formed(number) else "malformed",
        )
        return render(
            request,
            "shipments/public/not_found.html",
            {"number": number, "language": language},
            status=404,
        )

    revealed = False
    postcode_error = ""
    if request.method == "POST":
        entered = _normal_postcode(request.POST.get("postcode", ""))[:20]
        if _over_limit(f"postcode:{number}", POSTCODE_TRIES_PER_HOUR, 3600) or _over_limit(
            f"postcode-ip:{ip}", POSTCODE_TRIES_PER_HOUR * 4, 3600
        ):
            postcode_error = _("Too many attempts. Try again in an hour.")
        elif entered and hmac.compare_digest(
            entered.encode(), _normal_postcode(shipment.delivery_postcode or "").encode()
        ):
            revealed = True
        else:
            record(
                SecurityEvent.Kind.TRACKING_LOOKUP_FAILED,
                request=request,
                number=number[:32],
                reason="postcode",
            )
            postcode_error = _("That postcode does not match this shipment.")

    events = [
        {"at": e.at, "status": e.get_status_display(), "reason": e.get_reason_display()}
        for e in selectors.timeline(shipment)
    ]
    events.reverse()
    return render(
        request,
        "shipments/public/track.html",
        {
            "shipment": shipment,
            "company": shipment.tenant.name,
            "timezone": shipment.tenant.timezone or "Europe/Copenhagen",
            "status": shipment.get_status_display(),
            "window": selectors.time_window_text(shipment, language),
            "events": events,
            "revealed": revealed,
            "postcode_error": postcode_error,
            "language": language,
            "other_language": "en" if language == "da" else "da",
        },
        status=200,
    )
