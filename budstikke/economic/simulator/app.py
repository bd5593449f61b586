"""A faithful local e-conomic REST server as a plain WSGI app (tests, the demo, benchmarks).

Faithful to what `shared/reference/economic-api.md` records: the two token headers (the demo
pair reads only), the error JSON, required fields, PUT as full replace, no PATCH, `false`
booleans left out, `lastUpdated` in UTC to the second, paged collections with absolute links,
the filter and sort grammar, the request-access (grant) page and classic web hooks. Faults are
switched on from tests (`simulator.inject(...)`) or over HTTP under `/__simulator__/`.
"""

from __future__ import annotations

import html
import json
import math
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from budstikke.core import clock
from budstikke.economic.simulator import resources
from budstikke.economic.simulator.filters import QueryError, parse_filter, sort_records
from budstikke.economic.simulator.store import (
    DEFAULT_AGREEMENT,
    Agreement,
    Fault,
    Hook,
    Store,
)

GRANT_PATH = "/secure/api1/requestaccess.aspx"
ADMIN_PREFIX = "/__simulator__/"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 1000
_VALIDATION = ("Validation error.", "Inspect validation errors and correct your request.")

if TYPE_CHECKING:
    from budstikke.economic.simulator.transport import SimulatorTransport

StartResponse = Callable[..., Any]


class ConnectionDroppedError(ConnectionResetError):
    """Raised by the app to make the server close the connection without an answer."""


@dataclass
class Request:
    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: bytes
    base: str
    query: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_environ(cls, environ: Mapping[str, Any], base: str | None) -> Request:
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        host = headers.get("host") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        query_string = str(environ.get("QUERY_STRING", ""))
        return cls(
            method=str(environ["REQUEST_METHOD"]).upper(),
            path=str(environ.get("PATH_INFO") or "/"),
            query_string=query_string,
            headers=headers,
            body=body,
            base=(base or f"{environ['wsgi.url_scheme']}://{host}").rstrip("/"),
            query=parse_qs(query_string, keep_blank_values=True),
        )

    def param(self, name: str) -> str | None:
        """A query parameter, matched case-insensitively as e-conomic does."""
        for key, values in self.query.items():
            if key.lower() == name.lower():
                return values[-1]
        return None

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


def json_response(status: int, payload: Any, headers: Iterable[tuple[str, str]] = ()) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status, body, [("Content-Type", "application/json; charset=utf-8"), *headers])


def error(
    status: int,
    message: str,
    hint: str = "",
    errors: Mapping[str, Any] | None = None,
    headers: Iterable[tuple[str, str]] = (),
) -> Response:
    """e-conomic's error JSON: message, developerHint, logId, httpStatusCode, errors, logTime."""
    payload: dict[str, Any] = {
        "message": message,
        "developerHint": hint or message,
        "logId": f"{uuid.uuid4()}-SIM",
        "httpStatusCode": status,
    }
    if errors:
        payload["errors"] = dict(errors)
    payload["logTime"] = clock.now().strftime("%Y-%m-%dT%H:%M:%S")
    return json_response(status, payload, headers)


def _not_found() -> Response:
    return error(404, "Resource not found.", "The requested resource does not exist.")


def _not_allowed(allowed: str) -> Response:
    return error(
        405,
        "Method not allowed.",
        f"This resource allows {allowed}. Use PUT with the whole object to change it.",
        headers=[("Allow", allowed)],
    )


class Simulator:
    """The WSGI app. `base_url` overrides the host used in absolute links (else the request's)."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        base_url: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store or Store()
        self.base_url = base_url
        self.sleep = sleep

    # Conveniences for tests
    def inject(self, kind: str, **options: Any) -> Fault:
        fault = Fault(kind, **options)
        self.store.add_fault(fault)
        return fault

    def grant(self, agreement: int = DEFAULT_AGREEMENT) -> str:
        return self.store.grant(agreement=agreement)

    def customers(self, agreement: int = DEFAULT_AGREEMENT) -> dict[int, dict[str, Any]]:
        with self.store.lock:
            return {n: dict(c) for n, c in self.store.agreement(agreement).customers.items()}

    def transport(self) -> SimulatorTransport:
        """An httpx transport that serves this app in-process (dropped connections included)."""
        from budstikke.economic.simulator.transport import SimulatorTransport

        return SimulatorTransport(self)

    # WSGI
    def __call__(self, environ: Mapping[str, Any], start_response: StartResponse) -> list[bytes]:
        request = Request.from_environ(environ, self.base_url)
        if request.path.startswith(ADMIN_PREFIX):
            response = self._admin(request)
        elif request.path.lower() == GRANT_PATH:
            response = self._grant_page(request)
        else:
            response = self._api_with_faults(request)
        reason = HTTPStatus(response.status).phrase
        headers = [*response.headers, ("Content-Length", str(len(response.body)))]
        start_response(f"{response.status} {reason}", headers)
        return [response.body]

    def _api_with_faults(self, request: Request) -> Response:
        with self.store.lock:
            self.store.request_count += 1
        fault = self.store.take_fault(request.method, request.path)
        if fault is not None:
            if fault.kind == "rate_limit":
                headers = [("Retry-After", str(fault.retry_after))] if fault.retry_after else []
                return error(429, "Too many requests.", "Slow down and retry later.", None, headers)
            if fault.kind == "server_error":
                return error(500, "An error occurred.", "Internal server error (injected).")
            if fault.kind == "redirect":
                return Response(302, b"", [("Location", fault.location)])
            if fault.kind == "drop_before_commit":
                raise ConnectionDroppedError("dropped before the write")
            if fault.kind == "slow":
                self.sleep(fault.delay)
        with self.store.lock:
            response = self._api(request)
        if fault is not None and fault.kind == "drop_after_commit":
            raise ConnectionDroppedError("dropped after the write")
        return response

    def _api(self, request: Request) -> Response:
        app_secret = request.headers.get("x-appsecrettoken")
        grant = request.headers.get("x-agreementgranttoken")
        if not app_secret or not grant:
            return error(
                401,
                "Unauthorized access.",
                "Provide the X-AppSecretToken and X-AgreementGrantToken headers.",
            )
        resolved = self.store.resolve(app_secret, grant)
        if resolved is None:
            return error(401, "Unauthorized access.", "The tokens are not valid.")
        agreement, read_only = resolved
        if read_only and request.method != "GET":
            return error(403, "Forbidden.", "The demo agreement only allows GET requests.")
        if request.method in ("POST", "PUT"):
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/json":
                return error(415, "Unsupported media type.", "Send Content-Type application/json.")
            try:
                body = request.json()
            except (UnicodeDecodeError, json.JSONDecodeError):
                return error(400, "Invalid JSON.", "The request body is not valid JSON.")
            if not isinstance(body, dict):
                return error(400, *_VALIDATION, {"body": {"errors": [{"message": "object"}]}})
        else:
            body = {}
        parts = [part for part in request.path.split("/") if part]
        return self._route(request, agreement, parts, body)

    def _route(
        self, request: Request, agreement: Agreement, parts: list[str], body: dict[str, Any]
    ) -> Response:
        if parts == ["self"]:
            return (
                self._self(request, agreement) if request.method == "GET" else _not_allowed("GET")
            )
        if parts[:1] == ["customers"] and len(parts) <= 2:
            return self._customers(request, agreement, parts[1:], body)
        if parts[:1] == ["products"] and len(parts) <= 2:
            return self._products(request, agreement, parts[1:], body)
        if parts[:2] == ["invoices", "drafts"] and len(parts) <= 3:
            return self._draft_invoices(request, agreement, parts[2:], body)
        return _not_found()

    def _customers(
        self, request: Request, agreement: Agreement, rest: list[str], body: dict[str, Any]
    ) -> Response:
        method = request.method
        if not rest:
            if method == "GET":
                return self._collection(
                    request,
                    list(agreement.customers.values()),
                    render=resources.render_customer,
                    filterable=resources.CUSTOMER_FILTERABLE,
                    sortable=resources.CUSTOMER_SORTABLE,
                    noun="customer",
                    key="customerNumber",
                )
            if method == "POST":
                return self._create_customer(request, agreement, body)
            return _not_allowed("GET, POST")
        if method not in ("GET", "PUT", "DELETE"):
            return _not_allowed("GET, PUT, DELETE")
        number = int(rest[0]) if rest[0].isdigit() else -1
        record = agreement.customers.get(number)
        if record is None:
            return _not_found()
        if method == "GET":
            return json_response(200, resources.render_customer(request.base, record))
        if method == "PUT":
            return self._replace_customer(request, agreement, record, body)
        return self._delete_customer(agreement, number)

    def _products(
        self, request: Request, agreement: Agreement, rest: list[str], body: dict[str, Any]
    ) -> Response:
        method = request.method
        if not rest:
            if method == "GET":
                return self._collection(
                    request,
                    list(agreement.products.values()),
                    render=resources.render_product,
                    filterable=resources.PRODUCT_FILTERABLE,
                    sortable=resources.PRODUCT_SORTABLE,
                    noun="product",
                    key="productNumber",
                )
            if method == "POST":
                return self._save_product(request, agreement, body, None)
            return _not_allowed("GET, POST")
        if method not in ("GET", "PUT", "DELETE"):
            return _not_allowed("GET, PUT, DELETE")
        key = resources.unescape_product_number(rest[0])
        product = agreement.products.get(key)
        if product is None:
            return _not_found()
        if method == "GET":
            return json_response(200, resources.render_product(request.base, product))
        if method == "PUT":
            return self._save_product(request, agreement, body, key)
        in_use = (
            line.get("product") == key for d in agreement.drafts.values() for line in d["lines"]
        )
        if any(in_use):
            return error(400, "Product is in use.", "A product on an invoice cannot be deleted.")
        del agreement.products[key]
        return Response(204)

    def _draft_invoices(
        self, request: Request, agreement: Agreement, rest: list[str], body: dict[str, Any]
    ) -> Response:
        method = request.method
        if not rest:
            if method == "GET":
                return self._drafts(request, agreement)
            if method == "POST":
                return self._create_draft(request, agreement, body)
            return _not_allowed("GET, POST")
        if method not in ("GET", "DELETE"):
            return _not_allowed("GET, DELETE")
        number = int(rest[0]) if rest[0].isdigit() else -1
        draft = agreement.drafts.get(number)
        if draft is None:
            return _not_found()
        if method == "DELETE":
            del agreement.drafts[number]
            return Response(204)
        return json_response(200, resources.render_draft(request.base, number, draft))

    def _self(self, request: Request, agreement: Agreement) -> Response:
        return json_response(
            200,
            {
                "agreementNumber": agreement.number,
                "agreementType": {"agreementTypeNumber": 1, "name": "Standard"},
                "application": {"appNumber": 1, "name": "Budstikke", "requiredRole": "SuperUser"},
                "company": {
                    "name": agreement.company,
                    "addressLine1": "Havnegade 1",
                    "zip": "1050",
                    "city": "København K",
                    "country": "Danmark",
                    "companyIdentificationNumber": "12345678",
                },
                "companyAffiliation": "Standard",
                "modules": [],
                "signupDate": "2020-01-01",
                "user": {
                    "agreementNumber": agreement.number,
                    "loginId": "ADMIN",
                    "name": "Administrator",
                    "language": {"languageNumber": 1, "name": "Danish", "culture": "da-DK"},
                },
                "userName": "Administrator",
                "self": f"{request.base}/self",
            },
        )

    def _collection(
        self,
        request: Request,
        records: list[dict[str, Any]],
        *,
        render: Callable[[str, Mapping[str, Any]], dict[str, Any]],
        filterable: Mapping[str, str],
        sortable: Mapping[str, str],
        noun: str,
        key: str,
    ) -> Response:
        try:
            page_size = int(request.param("pagesize") or DEFAULT_PAGE_SIZE)
            skip = int(request.param("skippages") or 0)
        except ValueError:
            return error(400, "Invalid paging.", "pagesize and skippages are whole numbers.")
        if not 1 <= page_size <= MAX_PAGE_SIZE or skip < 0:
            return error(
                400,
                "Invalid paging.",
                f"pagesize is 1 to {MAX_PAGE_SIZE} and skippages is 0 or more.",
            )
        filter_text, sort_text = request.param("filter"), request.param("sort")
        selected = sorted(records, key=lambda record: record[key])
        try:
            if filter_text is not None:
                predicate = parse_filter(filter_text, filterable)
                selected = [record for record in selected if predicate(record)]
            if sort_text:
                selected = sort_records(selected, sort_text, sortable)
        except QueryError as exc:
            return error(400, str(exc), "See which properties support filtering and sorting.")
        path = urlsplit(request.path).path

        def page_link(number: int) -> str:
            query = f"skippages={number}&pagesize={page_size}"
            if filter_text is not None:
                query += f"&filter={quote(filter_text, safe='')}"
            if sort_text:
                query += f"&sort={quote(sort_text, safe='')}"
            return f"{request.base}{path}?{query}"

        last = max(0, math.ceil(len(selected) / page_size) - 1)
        pagination: dict[str, Any] = {
            "maxPageSizeAllowed": MAX_PAGE_SIZE,
            "skipPages": skip,
            "pageSize": page_size,
            "results": len(selected),
            "resultsWithoutFilter": len(records),
            "firstPage": page_link(0),
        }
        if skip > 0:
            pagination["previousPage"] = page_link(min(skip - 1, last))
        if skip < last:
            pagination["nextPage"] = page_link(skip + 1)
        pagination["lastPage"] = page_link(last)
        page = selected[skip * page_size : (skip + 1) * page_size]
        payload: dict[str, Any] = {}
        if page:
            payload["collection"] = [render(request.base, record) for record in page]
        payload["metaData"] = {
            "create": {
                "description": f"Create a new {noun}.",
                "href": f"{request.base}{path}",
                "httpMethod": "post",
            }
        }
        payload["pagination"] = pagination
        payload["self"] = f"{request.base}{path}" + (
            f"?{request.query_string}" if request.query_string else ""
        )
        return json_response(200, payload)

    def _create_customer(
        self, request: Request, agreement: Agreement, body: Mapping[str, Any]
    ) -> Response:
        stored, errors = resources.validate_customer(body)
        number = stored.get("customerNumber")
        if number is not None and number in agreement.customers:
            errors.setdefault("customerNumber", {"errors": []})["errors"].append(
                {
                    "errorCode": "E06020",
                    "message": "customerNumber is already in use.",
                    "value": number,
                }
            )
        if errors:
            return error(400, *_VALIDATION, errors)
        number = number or agreement.next_customer_number()
        stored |= {"customerNumber": number, "balance": 0.0, "dueAmount": 0.0}
        self.store.touch(stored)
        agreement.customers[number] = stored
        self.store.customer_changed(agreement, number, number)
        rendered = resources.render_customer(request.base, stored)
        return json_response(201, rendered, [("Location", rendered["self"])])

    def _replace_customer(
        self,
        request: Request,
        agreement: Agreement,
        record: Mapping[str, Any],
        body: Mapping[str, Any],
    ) -> Response:
        """PUT replaces the whole customer: whatever the body leaves out is cleared."""
        number = record["customerNumber"]
        stored, errors = resources.validate_customer(body)
        if stored.get("customerNumber", number) != number:
            errors.setdefault("customerNumber", {"errors": []})["errors"].append(
                {"errorCode": "E06030", "message": "customerNumber does not match the URL."}
            )
        if errors:
            return error(400, *_VALIDATION, errors)
        stored |= {
            "customerNumber": number,
            "balance": record.get("balance", 0.0),
            "dueAmount": record.get("dueAmount", 0.0),
        }
        self.store.touch(stored)
        agreement.customers[number] = stored
        self.store.customer_changed(agreement, number, number)
        return json_response(200, resources.render_customer(request.base, stored))

    def _delete_customer(self, agreement: Agreement, number: int) -> Response:
        if any(draft["customer"] == number for draft in agreement.drafts.values()):
            return error(400, "Customer has invoices.", "Bar the customer instead of deleting.")
        del agreement.customers[number]
        self.store.customer_changed(agreement, number, number)
        return Response(204)

    def _save_product(
        self,
        request: Request,
        agreement: Agreement,
        body: Mapping[str, Any],
        existing: str | None,
    ) -> Response:
        stored, errors = resources.validate_product(body)
        number = stored.get("productNumber")
        if existing is None and number in agreement.products:
            errors.setdefault("productNumber", {"errors": []})["errors"].append(
                {"errorCode": "E06020", "message": "productNumber is already in use."}
            )
        if existing is not None and number not in (None, existing):
            errors.setdefault("productNumber", {"errors": []})["errors"].append(
                {"errorCode": "E06030", "message": "productNumber does not match the URL."}
            )
        if errors:
            return error(400, *_VALIDATION, errors)
        self.store.touch(stored)
        agreement.products[stored["productNumber"]] = stored
        rendered = resources.render_product(request.base, stored)
        if existing is not None:
            return json_response(200, rendered)
        return json_response(201, rendered, [("Location", rendered["self"])])

    def _drafts(self, request: Request, agreement: Agreement) -> Response:
        records = [{"draftInvoiceNumber": n, **d} for n, d in agreement.drafts.items()]
        return self._collection(
            request,
            records,
            render=lambda base, r: resources.render_draft(base, r["draftInvoiceNumber"], r),
            filterable={"draftInvoiceNumber": "integer", "lastUpdated": "datetime"},
            sortable={"draftInvoiceNumber": "integer"},
            noun="draft invoice",
            key="draftInvoiceNumber",
        )

    def _create_draft(
        self, request: Request, agreement: Agreement, body: Mapping[str, Any]
    ) -> Response:
        stored, errors = resources.validate_draft(body, agreement.customers, agreement.products)
        if errors:
            return error(400, *_VALIDATION, errors)
        number = agreement.next_draft
        agreement.next_draft += 1
        self.store.touch(stored)
        agreement.drafts[number] = stored
        rendered = resources.render_draft(request.base, number, stored)
        return json_response(201, rendered, [("Location", rendered["self"])])

    # The request-access page (e-conomic's, so English and not translated)
    def _grant_page(self, request: Request) -> Response:
        if request.method == "POST":
            form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
            request.query = {k: [v] for k, v in form.items()}
        public = request.param("appPublicToken") or request.param("appId") or ""
        redirect = request.param("redirectUrl") or ""
        secret = self.store.app_secret_for(public)
        if secret is None:
            return _html(400, "<p>Unknown app. The appPublicToken is not valid.</p>")
        if redirect and urlsplit(redirect).scheme not in ("http", "https"):
            return _html(400, "<p>The redirectUrl must be an http or https address.</p>")
        if request.method == "POST" and "approve" in request.query:
            try:
                agreement = int(request.param("agreementNumber") or DEFAULT_AGREEMENT)
            except ValueError:
                return _html(400, "<p>The agreement number must be a number.</p>")
            token = self.store.grant(secret, agreement)
            if not redirect:
                return _html(200, f"<p>Your grant token: <code>{html.escape(token)}</code></p>")
            separator = "&" if urlsplit(redirect).query else "?"
            location = f"{redirect}{separator}{urlencode({'token': token})}"
            return Response(302, b"", [("Location", location)])
        if request.method not in ("GET", "POST"):
            return _html(405, "<p>Method not allowed.</p>")
        fields = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
            for name, value in (("appPublicToken", public), ("redirectUrl", redirect))
        )
        page = (
            "<h1>e-conomic (simulator): grant access</h1>"
            "<p>An app asks for access to your e-conomic agreement.</p>"
            f'<form method="post" action="{GRANT_PATH}">{fields}'
            '<label>Agreement number <input name="agreementNumber" '
            f'value="{DEFAULT_AGREEMENT}"></label> '
            '<button type="submit" name="approve" value="1">Approve</button></form>'
        )
        return _html(200, page)

    # Simulator-only administration: faults, grants, web hooks, reset
    def _admin(self, request: Request) -> Response:
        parts = [part for part in request.path[len(ADMIN_PREFIX) :].split("/") if part]
        method = request.method
        try:
            body = request.json() if request.body else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            return error(400, "Invalid JSON.")
        try:
            return self._admin_route(method, parts, body)
        except (TypeError, ValueError, KeyError) as exc:
            return error(400, "Invalid simulator request.", str(exc))

    def _admin_route(self, method: str, parts: list[str], body: Any) -> Response:
        store = self.store
        if parts == ["faults"]:
            if method == "POST":
                fault = self.inject(**body)
                return json_response(201, fault.as_json())
            if method == "DELETE":
                store.clear_faults()
                return Response(204)
            with store.lock:
                return json_response(200, [fault.as_json() for fault in store.faults])
        if parts == ["grants"] and method == "POST":
            token = store.grant(
                body.get("appSecretToken", next(iter(store.apps))),
                int(body.get("agreementNumber", DEFAULT_AGREEMENT)),
            )
            return json_response(201, {"token": token})
        if len(parts) == 3 and parts[0] == "agreements" and parts[2] == "webhooks":
            place = store.agreement(int(parts[1]))
            with store.lock:
                if method == "PUT":
                    place.hooks = [Hook(body["url"], str(body.get("method", "POST")).upper())]
                elif method == "DELETE":
                    place.hooks = []
                return json_response(200, [{"url": h.url, "method": h.method} for h in place.hooks])
        if parts == ["stats"]:
            with store.lock:
                return json_response(200, {"requests": store.request_count})
        return _not_found()


def _html(status: int, content: str) -> Response:
    page = f'<!doctype html><html lang="en"><meta charset="utf-8"><body>{content}</body></html>'
    return Response(status, page.encode("utf-8"), [("Content-Type", "text/html; charset=utf-8")])
