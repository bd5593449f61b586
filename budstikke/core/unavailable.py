"""The database unreachable (restarting, failing over): a short 503 with Retry-After instead
of a 500, HTML for people and JSON for the API. The page needs no database (no session, no
user), and the answer says nothing about the cause; the log has it."""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
API_PREFIX = "/api/"


def is_unavailable(exc: BaseException | None) -> bool:
    """Lost or refused database connections: transient, so the client should retry."""
    return isinstance(exc, OperationalError | InterfaceError)


def api_body() -> dict[str, str]:
    return {"code": "unavailable", "message": "Briefly unavailable; retry in a few seconds."}


def unavailable(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith(API_PREFIX):
        response = JsonResponse(api_body(), status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: a database outage is a 503 worth retrying; anything else Django's 500."""
    exc = sys.exc_info()[1]
    if is_unavailable(exc):
        log.warning("database unavailable: %s", type(exc).__name__)
        return unavailable(request)
    return defaults.server_error(request)
