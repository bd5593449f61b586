"""The operator's backup page: runs, drills, checks and how to restore. No tenant data."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from budstikke.backups import selectors, targets
from budstikke.ops.access import operator_view


@require_GET
@operator_view
def overview(request: HttpRequest) -> HttpResponse:
    health = selectors.backup_health()
    return render(
        request,
        "backups/overview.html",
        {
            "health": health,
            "age_hours": None if health.last_good_age is None else health.last_good_age / 3600,
            "runs": selectors.recent_runs(),
            "checks": selectors.recent_checks(),
            "target": targets.configured().describe(),
            "times": [f"{h:02d}:{m:02d}" for h, m in settings.BACKUP_TIMES],
            "zone": settings.TIME_ZONE,
            "keep": (
                settings.BACKUP_KEEP_LAST,
                settings.BACKUP_KEEP_DAILY,
                settings.BACKUP_KEEP_MONTHLY,
            ),
        },
    )
