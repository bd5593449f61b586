"""The REST API under generated requests, in-process: every operation of
`/api/v1/openapi.json`, with schemathesis-generated valid and invalid input, answers
without a 5xx and as its schema says (status codes, content type, headers, body), and
rejects input its schema forbids.

A small budget for CI; `make fuzz` runs the same checks with thousands of cases against a
running server (tests/fuzz/run.py). Not checked: that every schema-valid request is
accepted (`positive_data_acceptance`): business rules the schema cannot state (the
customer number must exist, a time window must end after it starts) answer 422 by design.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from budstikke.api.actions import create_api_key
from budstikke.api.api import api
from budstikke.api.scopes import SCOPES
from budstikke.shield import actions as shield_actions
from budstikke.shield import enforcement
from budstikke.shipments.testing import make_customer, make_shipment
from budstikke.tenants.models import Tenant
from budstikke.wsgi import application

# 19 operations x (explicit examples + coverage + up to this many generated cases).
EXAMPLES_PER_OPERATION = 8
# The app redirects plain HTTP; the in-process client speaks "https" to it.
BASE_URL = "https://localhost"
FUZZER = "127.0.0.1"


@pytest.fixture
def _connection_kept() -> Iterator[None]:
    """The schemathesis client calls the WSGI application directly, whose end-of-request
    signal would close the test's database connection (inside its transaction) on
    PostgreSQL; Django's own test client switches it off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_key(db: None, _connection_kept: None) -> str:
    """A tenant with a customer and a shipment, and a key with every scope. The fuzzer's
    address is on the operator allow-list: its deliberate stream of bad keys would
    otherwise (rightly) get it banned, and a ban would hide the API's own answers."""
    tenant = Tenant.objects.create(name="Fuzz Kurer", slug="fuzz-kurer")
    make_shipment(tenant, make_customer(tenant))
    _key, secret = create_api_key(
        tenant=tenant, name="fuzz", scopes=sorted(SCOPES), created_by=None
    )
    shield_actions.allow(f"{FUZZER}/32", note="schema fuzzer")
    enforcement.reset()
    return secret


def _schema() -> Any:
    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema())
    loaded.app = application
    return loaded


schema = _schema()
# One test per operation; schemathesis' decorator carries no types.
every_operation = cast(Callable[[Callable[..., None]], Callable[..., None]], schema.parametrize())


@every_operation
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,  # the run writes nothing into the tree
)
def test_every_operation_answers_as_its_schema_says(case: Any, api_key: str) -> None:
    case.call_and_validate(
        base_url=BASE_URL,
        headers={"Authorization": f"Bearer {api_key}"},
        excluded_checks=[positive_data_acceptance],
        environ_base={"REMOTE_ADDR": FUZZER},
    )
