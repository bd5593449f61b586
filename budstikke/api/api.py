"""The REST API, version 1: django-ninja, OpenAPI at /api/v1/openapi.json.

Every error is JSON with a machine-readable `code`; clients branch on it, people read
`message`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser
from ninja.throttling import AuthRateThrottle

from budstikke.api.auth import ApiKeyAuth, ScopeDeniedError
from budstikke.api.models import ApiKey
from budstikke.core import unavailable as db_unavailable

log = logging.getLogger(__name__)

# Per key; generous for integrations, low enough to stop a runaway loop.
RATE_LIMIT = "600/m"

# Answers any operation may give besides its own, all in the one JSON error shape below.
COMMON_ERRORS = {
    400: "The request cannot be read (malformed JSON, a cursor this API never gave out).",
    401: "No valid API key.",
    403: "The API key lacks the scope this operation needs.",
    404: "No such resource (another tenant's objects are never found).",
    422: "The request is invalid; `errors` says where.",
    429: "Too many requests for this API key; retry later.",
}
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
    "required": ["code", "message"],
    "additionalProperties": True,
}


class DocumentedErrorsAPI(NinjaAPI):
    """Publishes the error answers every operation can give, so clients (and schema
    fuzzers) know them from the OpenAPI document rather than by surprise."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        reference = {"$ref": "#/components/schemas/Error"}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in COMMON_ERRORS.items():
                    if status not in responses and str(status) not in responses:
                        responses[status] = {
                            "description": description,
                            "content": {"application/json": {"schema": reference}},
                        }
        return schema


class ObjectBodyParser(Parser):
    """Every request body of this API is a JSON object. django-ninja would read a list, a
    string or `null` as an object without attributes (an empty change that succeeds);
    refuse them with 400 instead."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the request body must be a JSON object")
        if _holds_nul(data):
            raise ValueError("the request body holds a NUL character (\\u0000)")
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        parsed = super().parse_querydict(data, list_fields, request)
        if _holds_nul(parsed):
            message = "NUL characters (\\u0000) are not accepted."
            raise ValidationError([{"loc": ["query"], "msg": message, "type": "value_error"}])
        return parsed


def _holds_nul(value: Any) -> bool:
    """PostgreSQL text cannot store NUL: refused here, it is a 4xx, not a 500 at INSERT."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def build_api(*, namespace: str = "api-v1") -> NinjaAPI:
    """A NinjaAPI with Budstikke's authentication, rate limit and JSON error handlers."""
    built = DocumentedErrorsAPI(
        title="Budstikke API",
        version="1",
        urls_namespace=namespace,
        auth=ApiKeyAuth(),
        throttle=[AuthRateThrottle(RATE_LIMIT)],
        parser=ObjectBodyParser(),
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

    def unavailable(request: HttpRequest, exc: Any) -> HttpResponse:
        log.warning("API: database unavailable: %s", type(exc).__name__)
        body = db_unavailable.api_body()
        response = error(request, 503, body["code"], body["message"])
        response["Retry-After"] = str(db_unavailable.RETRY_AFTER_SECONDS)
        return response

    def server_error(request: HttpRequest, exc: Any) -> HttpResponse:
        log.exception("API error", exc_info=exc)
        return error(request, 500, "server_error", "Something went wrong on our side.")

    built.add_exception_handler(AuthenticationError, unauthorized)
    built.add_exception_handler(ScopeDeniedError, forbidden_scope)
    built.add_exception_handler(Http404, not_found)
    built.add_exception_handler(ValidationError, invalid)
    built.add_exception_handler(Throttled, throttled)
    built.add_exception_handler(HttpError, http_error)
    built.add_exception_handler(OperationalError, unavailable)
    built.add_exception_handler(InterfaceError, unavailable)
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
