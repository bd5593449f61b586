"""A running Budstikke for the suites that test the whole system (`make fuzz`, `make audit`,
`make load`): `manage.py serve` as `make run` starts it, on a data directory and a loopback
port of its own, with a seeded tenant. Not a benchmark itself.

    with LiveServer("fuzz") as server:
        seeded = server.seed(keys=1)
        server.start()
        ... https://127.0.0.1:{server.port}/ with seeded.keys[0] ...

Run as a script (`python bench/live.py seed ...`) it is the seeding half, executed inside
the server's environment so that it writes to the server's database and keyring.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def insecure_context() -> ssl.SSLContext:
    """The embedded server's certificate is self-signed; these suites only reach loopback."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@dataclass
class Seeded:
    tenant: str
    keys: list[str]
    customer_number: int
    tracking: list[str] = field(default_factory=list)
    session: str = ""
    email: str = ""


class LiveServer:
    """One Budstikke on loopback. `env` adds settings (DATABASE_URL, REDIS_URL, …)."""

    def __init__(
        self, name: str, *, env: dict[str, str] | None = None, worker: bool = False
    ) -> None:
        self.data_dir = Path(tempfile.mkdtemp(prefix=f"budstikke-{name}-"))
        self.port = free_port()
        self.worker = worker
        self.env = os.environ | {
            "BUDSTIKKE_DATA_DIR": str(self.data_dir),
            "PORT": str(self.port),
            "BUDSTIKKE_BIND": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "budstikke.settings",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            # Nothing leaves the machine: no web hook may reach anything but loopback-refused
            # targets, SMS go to the console gateway.
            "SMS_GATEWAY": "console",
        }
        self.env |= env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.data_dir / "server.log"

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}"

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def seed(self, *, keys: int = 1, shipments: int = 1, user: bool = False) -> Seeded:
        self.manage("migrate", "--noinput", "-v0")
        argv = [sys.executable, str(Path(__file__)), "seed", "--keys", str(keys)]
        argv += ["--shipments", str(shipments)] + (["--user"] if user else [])
        done = subprocess.run(
            argv, cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise SystemExit(f"seeding failed:\n{done.stdout}{done.stderr}")
        return Seeded(**json.loads(done.stdout.strip().splitlines()[-1]))

    def start(self) -> None:
        argv = [sys.executable, str(ROOT / "manage.py"), "serve", "--port", str(self.port)]
        if not self.worker:
            argv.append("--no-worker")
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                argv, cwd=ROOT, env=self.env, stdout=sink, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited early:\n{self.log.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(
                    f"https://127.0.0.1:{self.port}/healthz", context=insecure_context(), timeout=5
                )
                return
            except urllib.error.HTTPError:
                return  # it answers (healthz may be 503 without a worker heartbeat)
            except OSError:
                time.sleep(0.3)
        raise SystemExit("server did not start within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
        if kind is None:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        else:
            print(f"(server data and log kept in {self.data_dir})", file=sys.stderr)


def _seed(keys: int, shipments: int, user: bool) -> Seeded:
    """A tenant "Suite Kurer" with customer 1001, shipments, API keys with every scope and,
    if asked, an admin with TOTP and a signed-in session."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from budstikke.api.actions import create_api_key
    from budstikke.api.scopes import SCOPES
    from budstikke.shipments.testing import make_customer, make_shipment
    from budstikke.tenants.models import Tenant

    tenant = Tenant.objects.create(name="Suite Kurer", slug="suite-kurer")
    customer = make_customer(tenant, customer_number=1001)
    tracking = [make_shipment(tenant, customer).tracking_number for _ in range(shipments)]
    secrets = [
        create_api_key(tenant=tenant, name=f"suite {n}", scopes=sorted(SCOPES), created_by=None)[1]
        for n in range(keys)
    ]
    seeded = Seeded(tenant=tenant.slug, keys=secrets, customer_number=1001, tracking=tracking)
    if user:
        from django.conf import settings
        from django.test import Client

        from budstikke.accounts.models import User
        from budstikke.accounts.testing import enroll_totp
        from budstikke.tenants.actions import ensure_membership
        from budstikke.tenants.models import Role

        email = "audit@suite-kurer.test"
        admin = User.objects.create_user(email=email, password=None, full_name="Audit Admin")
        ensure_membership(tenant=tenant, user=admin, role=Role.ADMIN)
        enroll_totp(admin)
        client = Client()
        client.force_login(admin)
        seeded.session = client.cookies[settings.SESSION_COOKIE_NAME].value
        seeded.email = email
    return seeded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["seed"])
    parser.add_argument("--keys", type=int, default=1)
    parser.add_argument("--shipments", type=int, default=1)
    parser.add_argument("--user", action="store_true")
    args = parser.parse_args()
    seeded = _seed(args.keys, args.shipments, args.user)
    print(json.dumps(seeded.__dict__))


if __name__ == "__main__":
    main()
