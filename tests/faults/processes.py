"""Private processes for the process-level fault tests: a PostgreSQL cluster, a Redis, the
Budstikke web server and worker. Every one listens on loopback only, on a free port, is
bounded in time, and is stopped by its owner's `stop()` (called from fixture finalizers)."""

from __future__ import annotations

import contextlib
import glob
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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

BASE_DIR = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(BASE_DIR / "manage.py")]
# Variables of the caller's environment a private installation must not inherit.
_INHERITED_PREFIXES = (
    "BUDSTIKKE_",
    "DATABASE_",
    "REDIS_",
    "SMS_",
    "SHIELD_",
    "ECONOMIC_",
    "EMAIL_",
    "DJANGO_SETTINGS_MODULE",
    "PORT",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: object, timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except Exception:  # noqa: S110 - not up yet
            pass
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready within {timeout:.0f} s")


def _kill_group(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """SIGTERM the process group (the server's granian and its workers), then SIGKILL."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


# PostgreSQL ----------------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise FileNotFoundError(f"no /usr/lib/postgresql/*/bin/{name}")
    return found[-1]


class PrivatePostgres:
    """A PostgreSQL cluster of our own (never the machine's shared one), run as `postgres`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="bsk-faults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.started = False
        self.options = ""

    def _run(self, *argv: str, timeout: float = 60) -> None:
        subprocess.run(
            [*self._as_postgres, *argv],
            check=True,
            capture_output=True,
            timeout=timeout,
        )

    def start(self) -> PrivatePostgres:
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            _pg_bin("initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        )
        self.options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        self.start_server()
        self.started = True
        self._run(
            _pg_bin("createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "budstikke",
        )
        return self

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/budstikke"

    def stop_server(self, mode: str = "fast") -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def start_server(self) -> None:
        self._run(
            _pg_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            self.options,
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)


# Redis ---------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of our own on a free loopback port, without persistence."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> PrivateRedis:
        redis_server = shutil.which("redis-server")
        if redis_server is None:
            raise FileNotFoundError("redis-server")
        self.process = subprocess.Popen(
            [
                redis_server,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._pings, 20, "redis-server")
        return self

    def _pings(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def restart(self) -> None:
        """A fresh, empty Redis on the same port, as after a crash without persistence."""
        self.kill()
        self.start()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        self.kill()


# Budstikke -----------------------------------------------------------------------------


@dataclass
class Installation:
    """One private Budstikke: its environment, data and keys directories, and processes."""

    root: Path
    database_url: str
    extra: Mapping[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        environ = {k: v for k, v in os.environ.items() if not k.startswith(_INHERITED_PREFIXES)}
        environ |= {
            "DJANGO_SETTINGS_MODULE": "budstikke.settings",
            "DATABASE_URL": self.database_url,
            "BUDSTIKKE_DATA_DIR": str(self.root / "var"),
            "BUDSTIKKE_KEYS_DIR": str(self.root / "keys"),
            "LANGUAGE_CODE": "en",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        return environ | dict(self.extra)

    def manage(self, *args: str, timeout: float = 180) -> str:
        done = subprocess.run(
            [*MANAGE, *args],
            env=self.env,
            cwd=BASE_DIR,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)}: {done.stderr.decode()[-3000:]}")
        return done.stdout.decode()

    def seed(self, *args: str) -> dict[str, object]:
        done = subprocess.run(
            [sys.executable, "-m", "tests.faults.seeding", *args],
            env=self.env,
            cwd=BASE_DIR,
            capture_output=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"seeding: {done.stderr.decode()[-3000:]}")
        seeded: dict[str, object] = json.loads(done.stdout.decode().strip().splitlines()[-1])
        return seeded

    def spawn(self, *args: str, log_name: str) -> subprocess.Popen[bytes]:
        log = (self.root / log_name).open("wb")
        process = subprocess.Popen(
            [*MANAGE, *args],
            env=self.env,
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )
        log.close()
        self.processes.append(process)
        return process

    def log_text(self, log_name: str) -> str:
        path = self.root / log_name
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for process in reversed(self.processes):
            _kill_group(process)
        self.processes.clear()


@dataclass
class Server:
    installation: Installation
    port: int
    process: subprocess.Popen[bytes]

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def cert(self) -> str:
        return str(self.installation.root / "var" / "tls" / "cert.pem")

    def client(self, timeout: float = 10.0) -> httpx.Client:
        # The self-signed certificate names localhost and 127.0.0.1; verify against it.
        return httpx.Client(
            base_url=self.base, verify=ssl.create_default_context(cafile=self.cert), timeout=timeout
        )

    def alive(self) -> bool:
        return self.process.poll() is None


def start_server(installation: Installation, timeout: float = 90) -> Server:
    port = free_port()
    process = installation.spawn(
        "serve", "--no-worker", "--workers", "1", "--port", str(port), log_name="web.log"
    )
    server = Server(installation, port, process)

    def answers() -> bool:
        if not server.alive():
            raise AssertionError("the server exited: " + installation.log_text("web.log")[-3000:])
        if not Path(server.cert).exists():
            return False
        with server.client(timeout=3) as client:
            return client.get("/healthz").status_code == 200

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if answers():
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError("the server did not answer: " + installation.log_text("web.log")[-3000:])
