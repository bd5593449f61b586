"""The REST API, version 1: django-ninja, OpenAPI at /api/v1/openapi.json.

Every error is JSON with a machine-readable `code`; clients branch on it, people read
`message`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.throttling import AuthRateThrottle

from budstikke.api.auth import ApiKeyAuth, ScopeDeniedError
from budstikke.api.models import ApiKey

log = logging.getLogger(__name__)

# Per key; generous for integrations, low enough to stop a runaway loop.
RATE_LIMIT = "600/m"


def build_api(*, namespace: str = "api-v1") -> NinjaAPI:
    """A NinjaAPI with Budstikke's authentication, rate limit and JSON error handlers."""
    built = NinjaAPI(
        title="Budstikke API",
        version="1",
        urls_namespace=namespace,
        auth=ApiKeyAuth(),
        throttle=[AuthRateThrottle(RATE_LIMIT)],
        docs_url=None,
        openapi_url="/openapi.json",
    )

    # Handlers take `exc: Any`: django-ninja types them loosely (an exception or its class).
    def error(
        request: HttpRequest, status: int, code: str, message: str, **extra: object
    ) -> HttpResponse:
        body = {"code": code, "message": message, **extra}
        return built.create_response(request, body, status=status)

    def unauthorized(request: HttpRequest, exc: Any) -> HttpResponse:
        response = error(
            request, 401, "unauthorized", "Send a valid API key as 'Authorization: Bearer bsk_…'."
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    def forbidden_scope(request: HttpRequest, exc: Any) -> HttpResponse:
        message = f"This API key lacks the scope '{exc.scope}'."
        return error(request, 403, "forbidden_scope", message, scope=exc.scope)

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return error(request, 404, "not_found", "No such resource.")

    def invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        return error(request, 422, "validation_error", "The request is invalid.", errors=exc.errors)

    def throttled(request: HttpRequest, exc: Any) -> HttpResponse:
        return error(request, 429, "rate_limited", "Too many requests; retry later.")

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return error(request, exc.status_code, "error", exc.message)

    def server_error(request: HttpRequest, exc: Any) -> HttpResponse:
        log.exception("API error", exc_info=exc)
        return error(request, 500, "server_error", "Something went wrong on our side.")

    built.add_exception_handler(AuthenticationError, unauthorized)
    built.add_exception_handler(ScopeDeniedError, forbidden_scope)
    built.add_exception_handler(Http404, not_found)
    built.add_exception_handler(ValidationError, invalid)
    built.add_exception_handler(Throttled, throttled)
    built.add_exception_handler(HttpError, http_error)
    built.add_exception_handler(Exception, server_error)
    return built


api = build_api()
api.add_router("/shipments", "budstikke.shipments.api.router")


class MeOut(Schema):
    tenant: str
    key: str
    scopes: list[str]


@api.get("/me", response=MeOut, summary="The tenant and scopes of the calling key")
def me(request: HttpRequest) -> MeOut:
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
    return MeOut(tenant=api_key.tenant.slug, key=api_key.prefix, scopes=api_key.scopes)


api.add_router("/customers", "budstikke.customers.api.router")
api.add_router("/webhooks", "budstikke.webhooks.api.router")

# The catch-all lives in a router mounted after every other one: the default router's
# routes come first, so a catch-all there would shadow the routers above.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"],
    "/{path:rest}",
    auth=None,
    include_in_schema=False,
)
def _unknown(request: HttpRequest, rest: str) -> HttpResponse:
    """Unknown API paths answer in JSON like every other API error."""
    raise Http404


api.add_router("", fallback)
