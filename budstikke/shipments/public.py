"""The public tracking page, `/t/<tracking number>`: no login, so it shows only status,
timeline and time window; recipient and addresses appear only after the visitor also
types the delivery postcode (a second factor the sender gave the recipient, not the world).

Every unknown number and wrong postcode is a TRACKING_LOOKUP_FAILED security event, so
enumeration shows up in the shield; lookups are rate-limited per client address.
"""

from __future__ import annotations

import hmac
import re
import threading

from django.conf import settings
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
from budstikke.shipments import machine, numbers, selectors
from budstikke.shipments.models import FailureReason, Shipment, TrackingEvent

LOOKUPS_PER_MINUTE = 30
POSTCODE_TRIES_PER_HOUR = 5
LANGUAGES = ("da", "en")
# What the page reads before the postcode is given (the rest loads only after it).
PUBLIC_FIELDS = (
    "tracking_number",
    "status",
    "parcel_count",
    "window_start",
    "window_end",
    "tenant__name",
    "tenant__timezone",
    "tenant__language",
)


def _over_limit(bucket: str, limit: int, seconds: int) -> bool:
    """Fixed-window counter in the shared cache (Redis when several web nodes run): used
    for postcode attempts, which must be counted across processes."""
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


class _LocalWindow:
    """Per-process fixed-window counter for plain lookups: a shared-cache write on every
    page view would cost more than the page (the file cache of the embedded setup), and
    each process counting alone still caps an address at limit x processes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.window = 0
        self.counts: dict[str, int] = {}

    def over(self, key: str, limit: int, seconds: int) -> bool:
        window = int(clock.now().timestamp()) // seconds
        with self.lock:
            if window != self.window:
                self.window, self.counts = window, {}
            count = self.counts.get(key, 0) + 1
            self.counts[key] = count
        return count > limit


_lookups = _LocalWindow()


def reset_limits() -> None:
    """Forget the per-process counts (tests)."""
    global _lookups  # noqa: PLW0603
    _lookups = _LocalWindow()


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
    # A setting only for bench/tracking.py, whose one client makes every lookup.
    limit = int(getattr(settings, "TRACKING_LOOKUPS_PER_MINUTE", 0) or LOOKUPS_PER_MINUTE)
    if _lookups.over(ip, limit, 60):
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
            .only(*PUBLIC_FIELDS)
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

    reasons = dict(FailureReason.choices)
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
        {"at": at, "status": machine.label(status), "reason": reasons.get(reason, "")}
        for at, status, reason in TrackingEvent.objects.for_tenant(shipment.tenant)
        .filter(shipment=shipment)
        .order_by("-at", "-pk")
        .values_list("at", "status", "reason")
    ]
    return render(
        request,
        "shipments/public/track.html",
        {
            "shipment": shipment,
            "company": shipment.tenant.name,
            "timezone": shipment.tenant.timezone or "Europe/Copenhagen",
            "status": machine.label(shipment.status),
            "window": selectors.time_window_text(shipment, language),
            "events": events,
            "revealed": revealed,
            "postcode_error": postcode_error,
            "language": language,
            "other_language": "en" if language == "da" else "da",
        },
        status=200,
    )
