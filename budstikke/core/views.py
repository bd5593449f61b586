from __future__ import annotations

import ipaddress

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from budstikke.core import health


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Unauthenticated liveness: no tenant data, only whether the parts are alive."""
    result = health.report()
    return JsonResponse(result.as_json(), status=200 if result.database_ok else 503)


def may_read_metrics(request: HttpRequest) -> bool:
    """Metrics are for the operator: from loopback, or a signed-in platform operator."""
    if ipaddress.ip_address(request.META["REMOTE_ADDR"]).is_loopback:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and getattr(user, "is_operator", False))


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_read_metrics(request):
        return HttpResponse(status=404)
    result = health.report()
    registry = CollectorRegistry()
    Gauge("budstikke_database_up", "1 if the database answers", registry=registry).set(
        1 if result.database_ok else 0
    )
    worker_age = Gauge(
        "budstikke_worker_heartbeat_age_seconds",
        "Seconds since the worker last reported (-1: never)",
        registry=registry,
    )
    worker_age.set(-1 if result.worker_age is None else result.worker_age)
    backup = result.checks.get("backup") or {}
    Gauge(
        "budstikke_backup_last_good_age_seconds",
        "Seconds since the snapshot of the last good (drilled) backup (-1: never)",
        registry=registry,
    ).set(-1 if backup.get("last_good_age_seconds") is None else backup["last_good_age_seconds"])
    Gauge(
        "budstikke_backup_failing",
        "1 if the latest backup failed or the last good one is older than the schedule allows",
        registry=registry,
    ).set(1 if backup.get("status") in ("failing", "stale") else 0)
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
