"""Every write to web hook endpoints: create (the secret is returned once), change, enable,
rotate the secret, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from budstikke.webhooks import outbox, signing, targets
from budstikke.webhooks.models import Endpoint, EventType

if TYPE_CHECKING:
    from budstikke.accounts.models import User
    from budstikke.tenants.models import Tenant

MAX_ENDPOINTS = 20


class EndpointError(ValueError):
    """Input a person can correct (message for people)."""


def clean_events(events: list[str]) -> list[str]:
    wanted = sorted(set(events))
    unknown = [e for e in wanted if e not in EventType.values]
    if unknown:
        raise EndpointError(_("Unknown event: %(names)s.") % {"names": ", ".join(unknown)})
    if not wanted:
        raise EndpointError(_("Choose at least one event."))
    return wanted


def clean_url(url: str) -> str:
    if len(url) > 2000:
        raise EndpointError(_("The URL is too long."))
    try:
        return str(targets.check_url(url))
    except targets.UnsafeTargetError as exc:
        raise EndpointError(str(exc)) from None


def create_endpoint(
    tenant: Tenant, *, url: str, events: list[str], description: str = "", by: User | None
) -> tuple[Endpoint, str]:
    """A new endpoint and its secret: show the secret now; it is not shown again."""
    clean = clean_url(url)
    wanted = clean_events(events)
    with transaction.atomic():
        if Endpoint.objects.for_tenant(tenant).count() >= MAX_ENDPOINTS:
            raise EndpointError(
                _("A company can have at most %(count)d endpoints.") % {"count": MAX_ENDPOINTS}
            )
        secret = signing.new_secret()
        endpoint = Endpoint.objects.create(
            tenant=tenant,
            url=clean,
            events=wanted,
            description=description.strip()[:200],
            secret=secret,
            created_by=by,
        )
    return endpoint, secret


def change_endpoint(
    endpoint: Endpoint,
    *,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> Endpoint:
    fields: list[str] = []
    if url is not None:
        endpoint.url = clean_url(url)
        fields.append("url")
    if events is not None:
        endpoint.events = clean_events(events)
        fields.append("events")
    if description is not None:
        endpoint.description = description.strip()[:200]
        fields.append("description")
    with transaction.atomic():
        if enabled is True and not endpoint.enabled:
            endpoint.enabled = True
            endpoint.disabled_reason = ""
            endpoint.consecutive_failures = 0
            endpoint.failing_since = None
            fields += ["enabled", "disabled_reason", "consecutive_failures", "failing_since"]
        if fields:
            endpoint.save(update_fields=fields)
        if enabled is False and endpoint.enabled:
            outbox.disable(endpoint, _("Disabled by a person."))
            endpoint.refresh_from_db()
    return endpoint


def rotate_secret(endpoint: Endpoint) -> str:
    secret = signing.new_secret()
    with transaction.atomic():
        endpoint.secret = secret
        endpoint.save(update_fields=["secret"])  # type: ignore[misc]  # a record field: EncryptedModel.save writes it as "sealed"
    return secret


def delete_endpoint(endpoint: Endpoint) -> None:
    with transaction.atomic():
        endpoint.delete()
