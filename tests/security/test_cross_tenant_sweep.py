"""The cross-tenant sweep: every URL pattern and every API operation, asked for tenant A's
objects by people who must get nothing — Charlie (admin of tenant B), Carl (A's courier, for
what a courier may not see), Olga (operator) and an anonymous visitor; for the API, tenant B's
key and no key. Answers may only be 404 / 403 / a redirect to the login (405 for a method the
route does not take; 401 in the API), no answer may hold a byte of A's canary data
(`canaries.py`), and nothing of A changes.

`ROUTES` and `API_OPERATIONS` say which object of tenant A each URL keyword / path parameter
names (a key of `World.kinds`). A route or operation with parameters missing from them fails
`test_every_route_with_parameters_is_in_the_table`; adding a route means adding one line,
e.g. `"privacy:request": tenant(request="dsr")` (and the object under that kind in
`canaries.build_world` if it is a new kind). Routes anonymous visitors may open are listed in
`PUBLIC_PAGES` (without parameters) or as `public(...)` rows, each with its reason.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse

from budstikke.api.actions import create_api_key
from budstikke.api.models import ApiKey
from budstikke.api.scopes import SCOPES
from budstikke.billing.models import Invoice
from budstikke.customers.models import Customer, CustomFieldDefinition
from budstikke.dispatch.models import StopUpdate
from budstikke.economic.models import Conflict
from budstikke.shield.models import Ban
from budstikke.shipments.models import CsvImport, PriceRule, PriceSurcharge, PriceZone, Shipment
from budstikke.tenants.models import Invitation, Membership
from budstikke.tenants.testing import Personas, log_in, reauthenticate
from budstikke.webhooks.models import Endpoint
from tests.security import canaries
from tests.security.canaries import World, body_of, build_world, snapshot
from tests.security.routes import API_PREFIX, Operation, Route, all_routes, api_operations

Audience = Literal["tenant", "operator", "account", "public"]
Response = Any  # the test client's response (django-stubs names it privately)


@dataclass(frozen=True)
class Rule:
    """Who may use a route and which of tenant A's objects its parameters name.

    tenant   — A's admin/dispatcher only: 404 for B and the operator, 403/404 for A's
               courier (the objects are another courier's), login for the anonymous.
    operator — platform objects: 404 for everyone but operators, login for the anonymous.
    account  — a user's own sign-in objects (allauth): 404 or a re-authentication demand.
    public   — reachable without login by design (`reason`); `expect` are the only answers
               allowed for A's objects, and no canary may show.
    """

    audience: Audience
    kwargs: Mapping[str, str]
    reason: str = ""
    expect: frozenset[int] = frozenset()
    body: Mapping[str, Any] = field(default_factory=dict)


def tenant(**kwargs: str) -> Rule:
    return Rule("tenant", kwargs)


def operator(**kwargs: str) -> Rule:
    return Rule("operator", kwargs)


def account(**kwargs: str) -> Rule:
    return Rule("account", kwargs)


def public(reason: str, *expect: int, **kwargs: str) -> Rule:
    return Rule("public", kwargs, reason, frozenset(expect))


def api(body: Mapping[str, Any] | None = None, **kwargs: str) -> Rule:
    return Rule("tenant", kwargs, body=body or {})


# URL keyword → kind of tenant A's object (a key of `World.kinds`), one line per route.
ROUTES: dict[str, Rule] = {
    "tenants:member-role": tenant(membership="membership"),
    "tenants:member-remove": tenant(membership="membership"),
    "tenants:invitation-revoke": tenant(invitation="invitation"),
    "tenant_security:end-sessions": tenant(membership="membership"),
    "apikeys:revoke": tenant(api_key="api_key"),
    "customers:field-remove": tenant(definition="definition"),
    "customers:detail": tenant(customer="customer"),
    "customers:edit": tenant(customer="customer"),
    "customers:archive": tenant(customer="customer"),
    "economic:conflict": tenant(conflict="conflict"),
    "shipments:detail": tenant(shipment="shipment"),
    "shipments:events": tenant(shipment="shipment"),
    "shipments:label": tenant(shipment="shipment"),
    "shipments:cancel": tenant(shipment="shipment"),
    "shipments:import-preview": tenant(csv_import="csv_import"),
    "shipments:zone-delete": tenant(zone="zone"),
    "shipments:rule-delete": tenant(rule="rule"),
    "shipments:surcharge-delete": tenant(surcharge="surcharge"),
    "dispatch:route": tenant(membership="membership"),
    "dispatch:route-move": tenant(membership="membership"),
    "dispatch:proof": tenant(shipment="delivered_shipment"),
    "dispatch:proof-signature": tenant(update="stop_update"),
    "dispatch:proof-photo": tenant(update="stop_update"),
    "courier:stop": tenant(shipment="shipment"),
    "courier:update": tenant(shipment="shipment"),
    "webhooks:detail": tenant(endpoint="endpoint"),
    "webhooks:toggle": tenant(endpoint="endpoint"),
    "webhooks:rotate": tenant(endpoint="endpoint"),
    "webhooks:delete": tenant(endpoint="endpoint"),
    "billing:invoice-retry": tenant(invoice="invoice"),
    "shield:unban": operator(ban_id="ban"),
    "shield:disallow": operator(entry_id="allow_entry"),
    "shield:unpin": operator(country="country"),
    "privacy-ops:end-licence": operator(tenant="tenant_a"),
    "privacy-ops:certificate": operator(certificate="any_id"),
    "privacy-ops:subprocessor-edit": operator(pk="any_id"),
    "privacy-ops:subprocessor-remove": operator(pk="any_id"),
    "privacy-ops:incident": operator(pk="any_id"),
    "privacy-ops:incident-edit": operator(pk="any_id"),
    "privacy-ops:incident-step": operator(pk="any_id", step="any_slug"),
    "mfa_remove_webauthn": account(pk="authenticator"),
    "mfa_edit_webauthn": account(pk="authenticator"),
    "shipments-public:track": public(
        "the recipient's tracking page: status only, personal fields after the postcode",
        200,
        number="tracking_number",
    ),
    "tenants:invitation-accept": public(
        "the invitee's link; the token is the credential", 200, 302, 404, token="invitation_token"
    ),
    "economic:hook": public(
        "e-conomic's web hook; the secret in the URL is the credential",
        404,
        hook_id="hook_id",
        secret="hook_secret",
    ),
    "account_reset_password_from_key": public(
        "allauth's password-reset link; the key is the credential",
        200,
        302,
        uidb36="alice_uidb36",
        key="reset_key",
    ),
    "api-v1:_unknown": public("unknown API paths answer JSON", 401, 404, rest="path"),
}

# Routes without parameters that answer anonymous visitors by design; any other route that
# shows an anonymous visitor a page (200) fails the sweep.
PUBLIC_PAGES: dict[str, str] = {
    "home": "the landing page with the tracking search",
    "healthz": "health for load balancers; no tenant data",
    "metrics": "Prometheus: loopback and operators only (the test client is loopback)",
    "set_language": "Django's language switch",
    "shipments-public:search": "the tracking search",
    "api-v1:openapi-json": "the API's public description",
    "account_login": "allauth: sign in",
    "account_signup": "allauth: sign up",
    "account_logout": "allauth: sign out",
    "account_inactive": "allauth: account inactive",
    "account_email_verification_sent": "allauth: verification sent",
    "account_reset_password": "allauth: request a reset",
    "account_reset_password_done": "allauth: reset requested",
    "account_reset_password_from_key_done": "allauth: password reset",
    "account_confirm_login_code": "allauth: login code",
    "mfa_authenticate": "allauth: second factor during login",
    "notify:callback-gatewayapi": "SMS delivery reports, signed by the gateway",
    "notify:callback-twilio": "SMS delivery reports, signed by the gateway",
}

# API path parameter → kind of tenant A's object, one line per operation.
API_OPERATIONS: dict[str, Rule] = {
    "GET /api/v1/shipments/{tracking}": api(tracking="tracking_number"),
    "POST /api/v1/shipments/{tracking}/cancel": api(tracking="tracking_number"),
    "GET /api/v1/shipments/{tracking}/events": api(tracking="tracking_number"),
    "GET /api/v1/shipments/{tracking}/label": api(tracking="tracking_number"),
    "GET /api/v1/customers/{customer_id}": api(customer_id="customer"),
    "PATCH /api/v1/customers/{customer_id}": api({"name": "Beta was here"}, customer_id="customer"),
    "POST /api/v1/customers/{customer_id}/archive": api(customer_id="customer"),
    "GET /api/v1/webhooks/{endpoint_id}": api(endpoint_id="endpoint"),
    "PATCH /api/v1/webhooks/{endpoint_id}": api({"enabled": False}, endpoint_id="endpoint"),
    "DELETE /api/v1/webhooks/{endpoint_id}": api(endpoint_id="endpoint"),
    "POST /api/v1/webhooks/{endpoint_id}/rotate-secret": api(endpoint_id="endpoint"),
    "GET /api/v1/webhooks/{endpoint_id}/deliveries": api(endpoint_id="endpoint"),
}

# The model `tenant_view` turns each kind into: the table must name the right object.
KIND_MODELS: dict[str, type[models.Model]] = {
    "membership": Membership,
    "invitation": Invitation,
    "api_key": ApiKey,
    "definition": CustomFieldDefinition,
    "customer": Customer,
    "conflict": Conflict,
    "shipment": Shipment,
    "delivered_shipment": Shipment,
    "stop_update": StopUpdate,
    "csv_import": CsvImport,
    "zone": PriceZone,
    "rule": PriceRule,
    "surcharge": PriceSurcharge,
    "endpoint": Endpoint,
    "invoice": Invoice,
}

# What an attacker posts: enough fields that a view which forgot its check would act.
ATTACK_FORM = {
    "role": "admin",
    "action": "delivered",
    "name": "Beta was here",
    "recipient_name": "Beta",
    "enabled": "on",
    "confirm": "yes",
    "offset": "1",
    "policy": "budstikke_wins",
    "decision": "dismiss",
    "submission_id": str(uuid.uuid4()),
}
# Everyone sends GET and POST; B's admin also DELETE (views without a method decorator
# treat PUT and PATCH like GET, so they add little but time).
SWEPT_METHODS = ("get", "post", "delete")


def _openapi() -> dict[str, Any]:
    from budstikke.api.api import api as api_v1

    document: dict[str, Any] = json.loads(json.dumps(api_v1.get_openapi_schema(), default=str))
    return document


def _api_paths() -> set[str]:
    return set(_openapi()["paths"])


def _url_routes() -> list[Route]:
    """URL patterns the URL sweep covers: all but the API operations (swept below)."""
    documented = _api_paths()
    return [r for r in all_routes() if r.openapi_path not in documented]


def _url(route: Route, world: World, rule: Rule | None = None) -> str:
    values = {k: world.value(kind) for k, kind in (rule.kwargs if rule else {}).items()}
    return reverse(route.key, kwargs=values) if route.named else route.fill(values)


def _is_login_redirect(response: Response) -> bool:
    location = str(response.get("Location", "")) if response.status_code == 302 else ""
    return location.startswith(reverse("account_login"))


def _is_reauthentication(response: Response) -> bool:
    location = response.get("Location", "") if response.status_code == 302 else ""
    return location.startswith((reverse("account_reauthenticate"), reverse("mfa_reauthenticate")))


def _send(client: Client, method: str, url: str) -> Response:
    if method == "get":
        response: Response = client.get(url)
    elif method == "post":
        response = client.post(url, ATTACK_FORM)
    else:
        response = getattr(client, method)(url, data="role=admin", content_type="text/plain")
    assert body_of(response) != b"Forbidden\n", f"the shield banned the sweep at {method} {url}"
    return response


# --- the tables cover every route -------------------------------------------------------


def test_every_route_with_parameters_is_in_the_table() -> None:
    with_parameters = {r.key: r for r in _url_routes() if r.kwargs}
    missing = sorted(set(with_parameters) - set(ROUTES))
    assert missing == [], f"routes with URL parameters missing from ROUTES: {missing}"
    stale = sorted(set(ROUTES) - set(with_parameters))
    assert stale == [], f"ROUTES names routes that no longer exist: {stale}"
    wrong = {
        key: (sorted(route.kwargs), sorted(ROUTES[key].kwargs))
        for key, route in with_parameters.items()
        if set(route.kwargs) != set(ROUTES[key].kwargs)
    }
    assert wrong == {}, f"ROUTES rows whose parameters differ from the route: {wrong}"


def test_every_api_operation_with_path_parameters_is_in_the_table() -> None:
    operations = {op.key: op for op in api_operations(_openapi())}
    with_parameters = {key for key, op in operations.items() if op.parameters}
    missing = sorted(with_parameters - set(API_OPERATIONS))
    assert missing == [], f"API operations missing from API_OPERATIONS: {missing}"
    assert sorted(set(API_OPERATIONS) - with_parameters) == []
    for key, rule in API_OPERATIONS.items():
        assert set(rule.kwargs) == operations[key].parameters, key
    unsecured = sorted(key for key, op in operations.items() if not op.secured)
    assert unsecured == [], f"API operations without authentication: {unsecured}"


def test_the_table_names_the_objects_the_views_resolve() -> None:
    """Where `tenant_view` maps a URL keyword to a model, the table's kind is that model."""
    for route in _url_routes():
        objects = getattr(route.callback, "tenant_objects", None) or {}
        for keyword, model in objects.items():
            kind = ROUTES[route.key].kwargs[keyword]
            assert KIND_MODELS.get(kind) is model, f"{route.key}: {keyword} is a {model.__name__}"
        if objects:
            assert ROUTES[route.key].audience == "tenant", route.key


def test_the_sweep_walks_what_it_should() -> None:
    keys = {r.key for r in all_routes()}
    assert {"customers:detail", "shield:unban", "account_login", "api-v1:_unknown"} <= keys
    paths = _api_paths()
    assert {f"{API_PREFIX}/shipments", f"{API_PREFIX}/customers/{{customer_id}}"} <= paths


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def world(personas: Personas, unbanned: None) -> World:
    return build_world(personas)


def _persona_client(personas: Personas, who: str) -> Client | None:
    from conftest import HttpsClient

    if who == "anonymous":
        return HttpsClient()
    user = getattr(personas, who)
    client = HttpsClient()
    log_in(client, user)
    if who == "charlie":
        reauthenticate(client, user)
    return client


def _allowed(rule: Rule, who: str, response: Response) -> bool:
    status: int = response.status_code
    if status == 405:
        return True
    if rule.audience == "public":
        return status in rule.expect
    if who == "anonymous":
        return status == 404 or _is_login_redirect(response)
    if rule.audience == "account":
        return status == 404 or _is_reauthentication(response)
    if who == "carl" and rule.audience == "tenant":
        return status in {403, 404}
    return status == 404


# --- URL routes with A's objects ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["charlie", "carl", "olga", "anonymous"])
def test_nobody_outside_gets_tenant_a_objects(who: str, personas: Personas, world: World) -> None:
    client = _persona_client(personas, who)
    assert client is not None
    before = snapshot(personas)
    methods = SWEPT_METHODS if who == "charlie" else ("get", "post")
    problems: list[str] = []
    swept = 0
    for route in _url_routes():
        if not route.kwargs:
            continue
        rule = ROUTES.get(route.key)
        if rule is None:
            problems.append(f"{route.key} is not in ROUTES")
            continue
        if rule.audience == "operator" and who == "olga":
            continue  # her own objects; her pages are checked for tenant data below
        url = _url(route, world, rule)
        answers = set()
        for method in methods:
            response = _send(client, method, url)
            answers.add(response.status_code)
            if not _allowed(rule, who, response):
                problems.append(f"{method.upper()} {url} ({route.key}) → {response.status_code}")
            leaked = world.leaks(response)
            if leaked:
                problems.append(f"{method.upper()} {url} ({route.key}) showed {leaked}")
        if answers == {405}:
            problems.append(f"{url} ({route.key}) answered 405 to every method")
        swept += 1
    assert problems == []
    assert swept >= 30
    assert snapshot(personas) == before, "an outsider's request changed tenant A's data"
    assert not Ban.objects.exclude(pk=world.value("ban")).exists()
    if who != "anonymous":
        assert client.get(reverse("account_sessions")).status_code == 200, "signed out midway"


# --- routes without parameters ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["charlie", "carl", "olga", "anonymous"])
def test_no_page_shows_tenant_a_data_to_outsiders(
    who: str, personas: Personas, world: World
) -> None:
    client = _persona_client(personas, who)
    assert client is not None
    problems: list[str] = []
    for route in _url_routes():
        if route.kwargs:
            continue
        url = _url(route, world)
        response = _send(client, "get", url)
        if response.status_code >= 500:
            problems.append(f"GET {url} → {response.status_code}")
        leaked = world.leaks(response, staff_may_see=who == "carl")
        if leaked:
            problems.append(f"GET {url} ({route.key}) showed {leaked}")
        if who == "anonymous" and response.status_code == 200 and route.key not in PUBLIC_PAGES:
            problems.append(f"GET {url} ({route.key}) is open to anonymous visitors")
    assert problems == []


def test_public_pages_are_real_routes() -> None:
    keys = {r.key for r in all_routes()}
    assert sorted(set(PUBLIC_PAGES) - keys) == []


@pytest.mark.django_db
def test_outsiders_posts_to_operator_pages_are_404(personas: Personas, world: World) -> None:
    """Operator pages refuse B's admin, A's courier and the anonymous, and change nothing."""
    operator_pages = [r for r in _url_routes() if not r.kwargs and r.route.startswith("ops/")]
    assert len(operator_pages) >= 5
    before = snapshot(personas)
    for who in ("charlie", "carl", "anonymous"):
        client = _persona_client(personas, who)
        assert client is not None
        for route in operator_pages:
            response = _send(client, "post", _url(route, world))
            ok = response.status_code in {404, 405} or (
                who == "anonymous" and _is_login_redirect(response)
            )
            assert ok, f"{who} POST {route.key} → {response.status_code}"
    assert snapshot(personas) == before


# --- the API ------------------------------------------------------------------------------


def _api_url(op: Operation, world: World, rule: Rule | None) -> str:
    path = op.path
    for name, kind in (rule.kwargs if rule else {}).items():
        path = path.replace("{" + name + "}", str(world.value(kind)))
    return path


def _api_call(
    client: Client, op: Operation, url: str, body: Mapping[str, Any], **headers: str
) -> Response:
    method = getattr(client, op.method.lower())
    if op.method in {"POST", "PATCH", "PUT"}:
        response: Response = method(
            url, data=json.dumps(dict(body)), content_type="application/json", headers=headers
        )
    else:
        response = method(url, headers=headers)
    return response


@pytest.mark.django_db
def test_tenant_b_key_and_no_key_get_nothing_of_tenant_a(personas: Personas, world: World) -> None:
    from conftest import HttpsClient

    _key, b_secret = create_api_key(
        tenant=personas.tenant_b, name="Beta shop", scopes=sorted(SCOPES), created_by=None
    )
    client = HttpsClient()
    before = snapshot(personas)
    problems: list[str] = []
    operations = api_operations(_openapi())
    for op in operations:
        rule = API_OPERATIONS.get(op.key)
        url = _api_url(op, world, rule)
        body = rule.body if rule else {}
        no_key = _api_call(client, op, url, body)
        if no_key.status_code != 401 or no_key.json().get("code") != "unauthorized":
            problems.append(f"{op.key} without a key → {no_key.status_code}")
        answers = [no_key]
        if rule is not None:
            with_b = _api_call(client, op, url, body, authorization=f"Bearer {b_secret}")
            answers.append(with_b)
            if with_b.status_code != 404 or with_b.json().get("code") != "not_found":
                problems.append(f"{op.key} with B's key → {with_b.status_code}")
        elif op.method == "GET":
            listing = _api_call(client, op, url, body, authorization=f"Bearer {b_secret}")
            answers.append(listing)
            if listing.status_code != 200:
                problems.append(f"{op.key} with B's key → {listing.status_code}")
        for response in answers:
            leaked = world.leaks(response)
            if leaked:
                problems.append(f"{op.key} showed {leaked}")
    assert problems == []
    assert len(operations) >= 15
    assert snapshot(personas) == before, "tenant B's key changed tenant A's data"


@pytest.mark.django_db
def test_the_api_refuses_every_browser_session(personas: Personas, world: World) -> None:
    """A session cookie — even tenant A's admin's, even the operator's — is no API credential."""
    for who in ("alice", "charlie", "olga"):
        client = _persona_client(personas, who)
        assert client is not None
        for op in api_operations(_openapi()):
            rule = API_OPERATIONS.get(op.key)
            response = _api_call(client, op, _api_url(op, world, rule), rule.body if rule else {})
            assert response.status_code == 401, f"{who}: {op.key} → {response.status_code}"
            assert world.leaks(response) == []


@pytest.mark.django_db
def test_the_openapi_document_served_is_the_one_swept(client: Client) -> None:
    served = client.get(f"{API_PREFIX}/openapi.json").json()
    assert set(served["paths"]) == _api_paths()


# --- public by design, under their own rules -----------------------------------------------


@pytest.mark.django_db
def test_the_tracking_page_shows_status_but_no_personal_data_without_the_postcode(
    client: Client, personas: Personas, world: World
) -> None:
    url = reverse("shipments-public:track", args=[world.value("tracking_number")])
    page = client.get(url)
    assert page.status_code == 200
    assert world.leaks(page) == []
    wrong = client.post(url, {"postcode": "9999"})
    assert wrong.status_code == 200
    assert world.leaks(wrong) == []

    right = client.post(url, {"postcode": "1620"})
    # The second factor reveals the recipient: the canary check sees it when it is there.
    assert canaries.RECIPIENT_NAME.label in world.leaks(right)
    assert canaries.CUSTOMER_EMAIL.label not in world.leaks(right)


@pytest.mark.django_db
def test_tenant_a_admin_sees_the_canaries_the_sweep_looks_for(
    alice_client: Client, personas: Personas, world: World
) -> None:
    """The detector finds canaries through HTML escaping: without this the sweep could pass
    by looking for the wrong bytes."""
    customer = alice_client.get(reverse("customers:detail", args=[world.value("customer")]))
    assert {canaries.CUSTOMER_NAME.label, canaries.CUSTOMER_NOTES.label} <= set(
        world.leaks(customer)
    )
    assert canaries.CUSTOMER_NAME.value not in customer.content.decode()  # it is escaped
    shipment = alice_client.get(reverse("shipments:detail", args=[world.value("shipment")]))
    assert {canaries.RECIPIENT_NAME.label, canaries.DELIVERY_ADDRESS.label} <= set(
        world.leaks(shipment)
    )


@pytest.mark.django_db
def test_the_snapshot_sees_what_an_outsider_could_change(personas: Personas, world: World) -> None:
    """The "nothing of A changed" check is only as good as the snapshot: each of these
    changes, one an attacker might make through a forgotten check, must show in it."""
    from budstikke.accounts.actions import end_all_sessions
    from budstikke.customers.actions import update_customer
    from budstikke.tenants.actions import revoke_invitation
    from budstikke.webhooks.actions import rotate_secret

    membership = Membership.objects.get(pk=world.value("membership"))
    changes: list[Callable[[], object]] = [
        lambda: end_all_sessions(membership.user),
        lambda: revoke_invitation(Invitation.objects.get(pk=world.value("invitation"))),
        lambda: update_customer(
            Customer.objects.for_tenant(personas.tenant_a).get(pk=world.value("customer")),
            notes="changed",
        ),
        lambda: rotate_secret(
            Endpoint.objects.for_tenant(personas.tenant_a).get(pk=world.value("endpoint"))
        ),
    ]
    for change in changes:
        before = snapshot(personas)
        assert snapshot(personas) == before
        change()
        assert snapshot(personas) != before
