"""Every URL pattern of `budstikke.urls` and every operation of the API's OpenAPI document,
as the sweep walks them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

API_PREFIX = "/api/v1"
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    key: str  # namespace:name, or the route itself when a pattern has no name
    route: str  # "tenant/customers/<int:customer>/" (regex patterns keep their regex)
    kwargs: frozenset[str]
    callback: Any

    @property
    def named(self) -> bool:
        return self.key != self.route

    def fill(self, values: dict[str, Any]) -> str:
        """The path with `values` for its parameters (for patterns `reverse` cannot name)."""
        return "/" + _PARAMETER.sub(lambda m: str(values[m["name"]]), self.route)

    @property
    def openapi_path(self) -> str:
        """The route as OpenAPI writes paths: /api/v1/shipments/{tracking}."""
        return "/" + _PARAMETER.sub(lambda m: "{" + m["name"] + "}", self.route)


def _kwargs(pattern: Any) -> set[str]:
    if isinstance(pattern, RoutePattern):
        return set(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return set(pattern.regex.groupindex)
    return set()


def _text(pattern: Any) -> str:
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        text = text.lstrip("^").rstrip("$").replace("\\Z", "")
    return text


def all_routes() -> list[Route]:
    """Every URL pattern, keyed by its reversible name (duplicates keep the first, as
    `reverse` does)."""
    found: dict[str, Route] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str, inherited: set[str]) -> None:
        for entry in patterns:
            kwargs = inherited | _kwargs(entry.pattern)
            route = prefix + _text(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, route, inner, kwargs)
            elif isinstance(entry, URLPattern):
                key = f"{namespace}{entry.name}" if entry.name else route
                if key in found and found[key].route != route:
                    key = route  # a second pattern under a taken name: keyed by its route
                found.setdefault(key, Route(key, route, frozenset(kwargs), entry.callback))

    walk(get_resolver().url_patterns, "", "", set())
    return list(found.values())


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as in the OpenAPI document: /api/v1/shipments/{tracking}
    parameters: frozenset[str]
    has_body: bool
    secured: bool

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def api_operations(document: dict[str, Any]) -> list[Operation]:
    operations = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            parameters = frozenset(
                p["name"] for p in operation.get("parameters", []) if p.get("in") == "path"
            )
            operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    parameters=parameters,
                    has_body="requestBody" in operation,
                    secured=bool(operation.get("security", document.get("security"))),
                )
            )
    return operations
