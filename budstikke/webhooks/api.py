"""`/api/v1/webhooks`: a shipper's system manages its web hook endpoints (list, create —
the secret is in that one answer only — get, change, delete, rotate the secret) and reads
the delivery log. Another tenant's endpoint is a 404 like a missing one."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from budstikke.api.auth import require_scope
from budstikke.api.models import ApiKey
from budstikke.core.tenancy import get_for_tenant_or_404
from budstikke.tenants.models import Tenant
from budstikke.webhooks import actions
from budstikke.webhooks.models import Delivery, Endpoint, EventType

router = Router(tags=["webhooks"])
LOG_LIMIT = 100


class ErrorOut(Schema):
    code: str
    message: str


class EndpointIn(Schema):
    url: str = Field(max_length=2000)
    events: list[EventType] = Field(min_length=1, max_length=10)
    description: str = Field("", max_length=200)


class EndpointChange(Schema):
    url: str | None = Field(None, max_length=2000)
    events: list[EventType] | None = Field(None, min_length=1, max_length=10)
    description: str | None = Field(None, max_length=200)
    enabled: bool | None = None


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    events: list[str]
    enabled: bool
    disabled_reason: str
    created_at: datetime

    @staticmethod
    def of(endpoint: Endpoint) -> EndpointOut:
        return EndpointOut(
            id=endpoint.pk,
            url=endpoint.url,
            description=endpoint.description,
            events=list(endpoint.events),
            enabled=endpoint.enabled,
            disabled_reason=endpoint.disabled_reason,
            created_at=endpoint.created_at,
        )


class EndpointCreated(EndpointOut):
    secret: str = Field(description="The signing secret (whsec_…). Shown only in this answer.")


class SecretOut(Schema):
    secret: str


class DeliveryOut(Schema):
    id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime | None


def _tenant(request: HttpRequest) -> Tenant:
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
    return api_key.tenant


def _endpoint(request: HttpRequest, endpoint_id: int) -> Endpoint:
    return get_for_tenant_or_404(Endpoint, _tenant(request), pk=endpoint_id)


def _invalid(exc: Exception) -> Status[ErrorOut]:
    return Status(422, ErrorOut(code="invalid_endpoint", message=str(exc)))


@router.get("", response=list[EndpointOut], summary="List web hook endpoints")
@require_scope("webhooks:read")
def list_endpoints(request: HttpRequest) -> list[EndpointOut]:
    return [EndpointOut.of(e) for e in Endpoint.objects.for_tenant(_tenant(request))]


@router.post(
    "",
    response={201: EndpointCreated, 422: ErrorOut},
    summary="Create an endpoint; the answer holds its secret, shown only this once",
)
@require_scope("webhooks:write")
def create_endpoint(
    request: HttpRequest, payload: EndpointIn
) -> Status[EndpointCreated] | Status[ErrorOut]:
    try:
        endpoint, secret = actions.create_endpoint(
            _tenant(request),
            url=payload.url,
            events=[str(e.value) for e in payload.events],
            description=payload.description,
            by=None,
        )
    except actions.EndpointError as exc:
        return _invalid(exc)
    out = EndpointCreated(**EndpointOut.of(endpoint).model_dump(), secret=secret)
    return Status(201, out)


@router.get("/{endpoint_id}", response=EndpointOut, summary="One endpoint")
@require_scope("webhooks:read")
def get_endpoint(request: HttpRequest, endpoint_id: int) -> EndpointOut:
    return EndpointOut.of(_endpoint(request, endpoint_id))


@router.patch(
    "/{endpoint_id}", response={200: EndpointOut, 422: ErrorOut}, summary="Change an endpoint"
)
@require_scope("webhooks:write")
def change_endpoint(
    request: HttpRequest, endpoint_id: int, payload: EndpointChange
) -> Status[EndpointOut] | Status[ErrorOut]:
    endpoint = _endpoint(request, endpoint_id)
    try:
        actions.change_endpoint(
            endpoint,
            url=payload.url,
            events=[str(e.value) for e in payload.events] if payload.events is not None else None,
            description=payload.description,
            enabled=payload.enabled,
        )
    except actions.EndpointError as exc:
        return _invalid(exc)
    return Status(200, EndpointOut.of(endpoint))


@router.post(
    "/{endpoint_id}/rotate-secret",
    response=SecretOut,
    summary="A new signing secret (the old one stops working at once)",
)
@require_scope("webhooks:write")
def rotate_secret(request: HttpRequest, endpoint_id: int) -> SecretOut:
    return SecretOut(secret=actions.rotate_secret(_endpoint(request, endpoint_id)))


@router.delete("/{endpoint_id}", response={204: None}, summary="Delete an endpoint")
@require_scope("webhooks:write")
def delete_endpoint(request: HttpRequest, endpoint_id: int) -> Status[None]:
    actions.delete_endpoint(_endpoint(request, endpoint_id))
    return Status(204, None)


@router.get(
    "/{endpoint_id}/deliveries",
    response=list[DeliveryOut],
    summary="The newest deliveries to this endpoint (the delivery log)",
)
@require_scope("webhooks:read")
def deliveries(request: HttpRequest, endpoint_id: int) -> list[DeliveryOut]:
    endpoint = _endpoint(request, endpoint_id)
    rows = Delivery.objects.for_tenant(endpoint.tenant).filter(endpoint=endpoint)[:LOG_LIMIT]
    return [
        DeliveryOut(
            id=row.message_id,
            event_type=row.event_type,
            status=row.status,
            attempts=row.attempts,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
            next_attempt_at=row.next_attempt_at if row.status == Delivery.Status.PENDING else None,
        )
        for row in rows
    ]
