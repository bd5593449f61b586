"""The demo tenant's e-conomic: a connection to the local simulator that `manage.py serve`
starts on loopback, so `make run` shows customers flowing both ways without a real agreement.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from budstikke.economic import actions
from budstikke.economic.models import Connection
from budstikke.economic.simulator import SIMULATOR_APP_SECRET
from budstikke.tenants.models import Tenant

SIMULATOR_PORT = 8600
SIMULATOR_URL = f"http://127.0.0.1:{SIMULATOR_PORT}"
DEMO_GRANT = "budstikke-demo-grant"
SEEDED_CUSTOMERS = 25


def connect_demo(tenant: Tenant) -> Connection:
    """Idempotent: an existing connection of the demo tenant is left as it is."""
    existing = actions.connection_of(tenant)
    if existing is not None:
        return existing
    return actions.store_grant(
        tenant,
        DEMO_GRANT,
        agreement_number=None,
        company_name="Simuleret Kurer ApS (simulator)",
        base_url=SIMULATOR_URL,
        app_secret_token=None if settings.ECONOMIC_APP_SECRET_TOKEN else SIMULATOR_APP_SECRET,
    )


def simulator_command(manage_py: str, python: str) -> tuple[list[str], int | None]:
    """The simulator's argv when some connection points at a simulator on loopback, and the
    tenant to sync once it is up; ([], None) otherwise."""
    connection = (
        Connection.objects.dangerously_unscoped()
        .filter(base_url__startswith="http://127.0.0.1:", status=Connection.Status.CONNECTED)
        .first()
    )
    if connection is None:
        return [], None
    port = urlsplit(connection.base_url).port or SIMULATOR_PORT
    argv = [
        python,
        manage_py,
        "economic_simulator",
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--seed",
        str(SEEDED_CUSTOMERS),
        "--grant-token",
        DEMO_GRANT,
    ]
    return argv, connection.tenant_id
