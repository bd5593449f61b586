"""The shield's middleware: refuse banned sources cheaply, enforce the country policy, and
classify requests for the request-level detectors. Runs right after ClientIPMiddleware.

A banned request costs a dict lookup and a tiny 403: no session, no database query, no
event (it is counted in memory). A normal request costs a dict lookup, one leaky-bucket
update, and a few literal string checks; 404s are classified after the response.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext

from budstikke.shield import classify, enforcement, networks
from budstikke.shield.models import SecurityEvent
from budstikke.shield.scenarios import Bucket, Scenario, by_name

PUBLIC_PREFIXES = ("/t/", "/static/", "/healthz")
MAX_TRACKED_SOURCES = 50_000


def _refused() -> HttpResponse:
    response = HttpResponse(b"Forbidden\n", status=403, content_type="text/plain")
    response._has_been_logged = True  # type: ignore[attr-defined]  # counted, not logged
    return response


def _country_refused() -> HttpResponse:
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext("Access from your country is restricted. Contact your administrator.")
    return HttpResponse(text + "\n", status=403, content_type="text/plain; charset=utf-8")


class MemoryBuckets:
    """Per-process buckets for request-level inputs (request floods, 404 floods)."""

    def __init__(self, scenario: Scenario | None) -> None:
        self.scenario = scenario
        self.buckets: dict[str, Bucket] = {}

    def pour(self, source: str, now: float, distinct: str | None = None) -> bool:
        scenario = self.scenario
        if scenario is None:
            return False
        bucket = self.buckets.get(source)
        if bucket is None:
            if len(self.buckets) >= MAX_TRACKED_SOURCES:
                self.prune(now)
            bucket = self.buckets[source] = Bucket()
        return bucket.pour(scenario, scenario.capacity_for(source), now, distinct)

    def prune(self, now: float) -> None:
        scenario = self.scenario
        assert scenario is not None
        self.buckets = {
            key: bucket
            for key, bucket in self.buckets.items()
            if not bucket.empty_at(now, scenario.leak)
        }
        if len(self.buckets) >= MAX_TRACKED_SOURCES:
            self.buckets.clear()


class ShieldMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.enabled = settings.SHIELD_ENABLED
        self.flood = MemoryBuckets(by_name("request-flood"))
        self.not_found = MemoryBuckets(by_name("not-found-flood"))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.enabled:
            return self.get_response(request)
        address = request.META.get("REMOTE_ADDR", "")
        source = address if ":" not in address else networks.source_key(address)
        if not source:
            return self.get_response(request)
        state = enforcement.STATE
        now = enforcement.now_ts()
        if (state.hosts or state.ranges) and state.banned_until(source, now) is not None:
            state.blocked[source] += 1
            return _refused()
        if now >= state.next_refresh:
            enforcement.refresh(now)
            state = enforcement.STATE
            if state.banned_until(source, now) is not None:
                state.blocked[source] += 1
                return _refused()
        path = request.path_info
        if state.restricted and self._country_restricted(source, address, path, state):
            return _country_refused()
        if self.flood.pour(source, now) and not (
            state.allow and networks.contains(state.allow, source)
        ):
            # Allow-listed sources (operators, a load balancer's health checks, a load
            # generator) are never banned, so they are not refused for volume either.
            self._overflow(request, SecurityEvent.Kind.RATE_FLOOD, "request-flood", source)
            return _refused()
        if classify.has_injection(path, request.META.get("QUERY_STRING", "")):
            from budstikke.shield.events import record

            record(SecurityEvent.Kind.INJECTION, request=request)
            if enforcement.STATE.banned_until(source, now) is not None:
                return _refused()
        response = self.get_response(request)
        status = response.status_code
        if status >= 400 and status != 429:
            self._after_error(request, source, path, status, now)
        return response

    def _country_restricted(
        self, source: str, address: str, path: str, state: enforcement.BanSet
    ) -> bool:
        from budstikke.shield.geoip import country_of

        country = country_of(address)
        if country is None or country not in state.restricted:
            return False
        if state.allow and networks.contains(state.allow, source):
            return False
        full_block = state.restricted[country]
        return full_block or not path.startswith(PUBLIC_PREFIXES)

    def _after_error(
        self, request: HttpRequest, source: str, path: str, status: int, now: float
    ) -> None:
        if classify.is_exploit_path(path):
            from budstikke.shield.events import record

            record(SecurityEvent.Kind.EXPLOIT_PROBE, request=request, status=status)
        elif status == 404 and not path.startswith("/static/"):
            flooded = self.not_found.pour(source, now, path)
            if flooded:
                self._overflow(
                    request, SecurityEvent.Kind.NOT_FOUND_FLOOD, "not-found-flood", source
                )

    def _overflow(
        self, request: HttpRequest, kind: SecurityEvent.Kind, scenario_name: str, source: str
    ) -> None:
        """A request-level bucket overflowed: one event, and a ban through the usual path."""
        from budstikke.shield import actions
        from budstikke.shield.events import record

        scenario = by_name(scenario_name)
        assert scenario is not None
        event = record(kind, request=request, scenario=scenario_name)
        actions.ban(
            source,
            scenario=scenario_name,
            reason=scenario.description,
            evidence={"events": scenario.capacity_for(source) + 1, "event_ids": [event.pk]},
            factor=scenario.ban_factor,
        )
