"""The e-conomic REST client: the only code that talks to e-conomic.

It keeps the API's rules so callers need not: tokens in two headers and never sent off the
API's host (redirects and foreign `nextPage` links are refused), collections followed page by
page, `lastUpdated` filters in UTC with `Z`, PUT as a whole-object replace (so: GET, merge,
PUT; never `null`, never a `false` boolean), retries with backoff for 429/5xx/network failures
but never for 400/401/403, a POST whose outcome is unknown checked before it is resent, and
the agreement's fair-use budget.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings

from budstikke.core import clock
from budstikke.economic.budget import CallBudget, agreement_key
from budstikke.economic.errors import (
    InvalidResponseError,
    NetworkError,
    NotConfiguredError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitedError,
    UnsafeLinkError,
    error_for,
)

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 1000
# Fields e-conomic computes or links; they are never part of a write.
READ_ONLY_FIELDS = frozenset(
    {
        "self",
        "balance",
        "dueAmount",
        "lastUpdated",
        "metaData",
        "contacts",
        "deliveryLocations",
        "templates",
        "totals",
        "invoices",
    }
)
# What identifies a customer we created, in the order a lost POST is looked for.
IDENTITY_FIELDS = ("customerNumber", "corporateIdentificationNumber", "email")
_FILTER_ESCAPES = str.maketrans({c: f"${c}" for c in "$()*,[]"})

Json = dict[str, Any]


def format_timestamp(moment: datetime) -> str:
    """A time as e-conomic writes and filters it: UTC, whole seconds, `Z`."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def filter_value(value: object) -> str:
    """A value escaped for the filter grammar (`$$ $( $) $* $, $[ $]`)."""
    return str(value).translate(_FILTER_ESCAPES)


def updated_since(moment: datetime) -> str:
    return f"lastUpdated$gte:{format_timestamp(moment)}"


def grant_url(redirect_url: str) -> str:
    """e-conomic's request-access page for this app, returning the grant token to `redirect_url`."""
    public = settings.ECONOMIC_APP_PUBLIC_TOKEN
    if not public:
        raise NotConfiguredError("ECONOMIC_APP_PUBLIC_TOKEN is not set")
    query = urlencode({"appPublicToken": public, "redirectUrl": redirect_url})
    return f"{settings.ECONOMIC_GRANT_URL}?{query}"


def writable(resource: Mapping[str, Any]) -> Json:
    """A resource as a write must send it: no read-only fields, no nulls, no false booleans."""

    def clean(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: clean(v) for k, v in value.items() if v is not None and v is not False}
        if isinstance(value, list):
            return [clean(item) for item in value if item is not None]
        return value

    return clean({k: v for k, v in resource.items() if k not in READ_ONLY_FIELDS})  # type: ignore[no-any-return]


def _retry_after(header: str | None) -> float | None:
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - clock.now()).total_seconds())


class EconomicClient:
    """One agreement's connection. `transport`, `sleep` and `jitter` are there for tests."""

    def __init__(
        self,
        grant_token: str,
        *,
        app_secret_token: str | None = None,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        budget: CallBudget | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        max_attempts: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        timeout: float = 30.0,
    ) -> None:
        secret = app_secret_token or settings.ECONOMIC_APP_SECRET_TOKEN
        if not secret or not grant_token:
            raise NotConfiguredError("e-conomic app secret token or grant token missing")
        self.base = httpx.URL((base_url or settings.ECONOMIC_BASE_URL).rstrip("/") + "/")
        self.budget = budget or CallBudget(agreement_key(grant_token))
        self.sleep = sleep
        self.jitter = jitter
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._http = httpx.Client(
            transport=transport,
            follow_redirects=False,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={
                "X-AppSecretToken": secret,
                "X-AgreementGrantToken": grant_token,
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> EconomicClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Transport
    def url(self, target: str) -> httpx.URL:
        """The absolute URL of a path or a link; a link off the API's origin is refused."""
        if target.startswith(("http://", "https://")):
            url = httpx.URL(target)
            same = (url.scheme, url.host, url.port) == (
                self.base.scheme,
                self.base.host,
                self.base.port,
            )
            if not same or not url.path.startswith(self.base.path):
                raise UnsafeLinkError(f"link to {url.scheme}://{url.host} refused")
            return url
        return self.base.join(target.lstrip("/"))

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return float(ceiling * (0.5 + self.jitter() / 2))

    def request(
        self,
        method: str,
        target: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        resend: bool,
    ) -> httpx.Response:
        """Send with retries; `resend` says whether repeating the request is harmless."""
        url = self.url(target)
        content = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        attempt = 0
        while True:
            attempt += 1
            self.budget.spend()
            try:
                response = self._http.request(method, url, params=params, content=content)
            except httpx.TransportError as exc:
                never_arrived = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                if not (resend or never_arrived):
                    raise OutcomeUnknownError(f"{method} {url.path}: {type(exc).__name__}") from exc
                if attempt >= self.max_attempts:
                    raise NetworkError(f"{method} {url.path}: {type(exc).__name__}") from exc
                logger.info("e-conomic %s %s: %s, retrying", method, url.path, type(exc).__name__)
                self.sleep(self._backoff(attempt))
                continue
            status = response.status_code
            if 300 <= status < 400:
                raise UnsafeLinkError(f"{method} {url.path}: redirect ({status}) refused")
            if status < 400:
                return response
            error = error_for(status, self._error_body(response))
            if status == 429:
                wait = _retry_after(response.headers.get("Retry-After"))
                if attempt >= self.max_attempts or (wait or 0) > self.max_delay:
                    raise RateLimitedError(status, self._error_body(response), wait)
                logger.info("e-conomic %s %s: 429, retrying", method, url.path)
                self.sleep(wait if wait is not None else self._backoff(attempt))
                continue
            if status >= 500:
                if not resend:
                    raise OutcomeUnknownError(f"{method} {url.path}: {status}") from error
                if attempt >= self.max_attempts:
                    raise error
                logger.info("e-conomic %s %s: %s, retrying", method, url.path, status)
                self.sleep(self._backoff(attempt))
                continue
            raise error

    @staticmethod
    def _error_body(response: httpx.Response) -> Json | None:
        try:
            body = response.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _json(self, method: str, target: str, **kwargs: Any) -> Json:
        response = self.request(method, target, **kwargs)
        path = httpx.URL(target).path
        try:
            data = response.json()
        except ValueError as exc:  # not JSON: an HTML error page, a body cut short
            kind = response.headers.get("Content-Type", "-").split(";")[0]
            raise InvalidResponseError(f"{method} {path}: not JSON ({kind})") from exc
        if not isinstance(data, dict):
            raise InvalidResponseError(f"{method} {path}: not a JSON object")
        return data

    def collection(
        self,
        path: str,
        *,
        filter: str | None = None,  # e-conomic's own parameter name
        sort: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Json]:
        """Every item of a collection, following `pagination.nextPage` on the API's host only."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size is 1 to {MAX_PAGE_SIZE}")
        params: dict[str, Any] = {"skippages": 0, "pagesize": page_size}
        if filter is not None:
            params["filter"] = filter
        if sort is not None:
            params["sort"] = sort
        page = self._json("GET", path, params=params, resend=True)
        seen: set[str] = set()
        while True:
            items = page.get("collection", [])
            pagination = page.get("pagination") or {}
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise InvalidResponseError(f"GET {path}: collection is not a list of objects")
            if not isinstance(pagination, dict):
                raise InvalidResponseError(f"GET {path}: pagination is not an object")
            yield from items
            next_page = pagination.get("nextPage")
            if not next_page or next_page in seen:
                return
            seen.add(next_page)
            try:
                page = self._json("GET", next_page, resend=True)
            except NotFoundError as exc:  # the listing changed under us, or a broken link
                raise InvalidResponseError(f"GET {path}: the next page is gone") from exc

    # The agreement
    def get_self(self) -> Json:
        """The agreement, company and user behind the tokens: the cheapest credentials check."""
        return self._json("GET", "self", resend=True)

    # Customers
    def get_customer(self, number: int) -> Json:
        return self._json("GET", f"customers/{int(number)}", resend=True)

    def iter_customers(
        self,
        *,
        filter: str | None = None,
        sort: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Json]:
        return self.collection("customers", filter=filter, sort=sort, page_size=page_size)

    def list_customers(self, **kwargs: Any) -> list[Json]:
        return list(self.iter_customers(**kwargs))

    def create_customer(self, customer: Mapping[str, Any], *, match_on: str | None = None) -> Json:
        """POST a customer without ever creating it twice.

        When a POST's outcome is unknown (connection lost, 5xx), the customer is looked for by
        `match_on` (default: the first of customerNumber, CVR, email it has) before resending;
        with none of them the uncertainty is raised rather than risking a duplicate.
        """
        body = writable(customer)
        key = match_on or next((f for f in IDENTITY_FIELDS if body.get(f)), None)
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self._json("POST", "customers", body=body, resend=False)
            except OutcomeUnknownError:
                if key is None or not body.get(key):
                    raise
                found = self._find_created(body, key)
                if found is not None:
                    logger.info("e-conomic POST customers: found after an unknown outcome")
                    return found
                if attempt == self.max_attempts:
                    raise
                self.sleep(self._backoff(attempt))
        raise OutcomeUnknownError("unreachable")  # pragma: no cover

    def _find_created(self, body: Mapping[str, Any], key: str) -> Json | None:
        if key == "customerNumber":
            try:
                return self.get_customer(int(body[key]))
            except NotFoundError:
                return None
        matches = [
            found
            for found in self.iter_customers(filter=f"{key}$eq:{filter_value(body[key])}")
            if found.get("name") == body.get("name")
        ]
        return max(matches, key=lambda found: int(found["customerNumber"]), default=None)

    def replace_customer(self, number: int, customer: Mapping[str, Any]) -> Json:
        """PUT the whole customer; whatever `customer` leaves out is cleared in e-conomic."""
        body = writable(customer) | {"customerNumber": int(number)}
        return self._json("PUT", f"customers/{int(number)}", body=body, resend=True)

    def update_customer(self, number: int, changes: Mapping[str, Any]) -> Json:
        """GET, merge `changes` (None or False clears a field), PUT; returns what e-conomic kept."""
        current = self.get_customer(number)
        merged = {**current, **changes}
        return self.replace_customer(number, merged)

    def delete_customer(self, number: int) -> bool:
        """Delete; False when it was already gone (a retried DELETE lands there too)."""
        try:
            self.request("DELETE", f"customers/{int(number)}", resend=True)
        except NotFoundError:
            return False
        return True

    # Invoicing
    def create_draft_invoice(self, draft: Mapping[str, Any]) -> Json:
        """POST a draft invoice; an unknown outcome is raised for the caller to reconcile
        (by `references.other`) rather than resent blindly."""
        return self._json("POST", "invoices/drafts", body=writable(draft), resend=False)

    def iter_products(
        self,
        *,
        filter: str | None = None,
        sort: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Json]:
        return self.collection("products", filter=filter, sort=sort, page_size=page_size)

    def list_products(self, **kwargs: Any) -> list[Json]:
        return list(self.iter_products(**kwargs))
