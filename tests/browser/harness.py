"""The browser-test harness: the real HTTPS server in a temporary data directory, its
mailbox, and Playwright driving Debian's Chromium (never a downloaded browser).

Fixtures live in `tests/browser/conftest.py`; tests of later issues import these helpers.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
_SEPARATOR = "\n" + "-" * 79 + "\n"


def require_chromium() -> None:
    """Skip without Chromium on a developer's machine; in CI a missing browser is a failure."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing: `make system-deps` installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running `manage.py serve` with its own data directory, database and mailbox."""

    port: int
    data_dir: Path
    environ: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    _seen_mail: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    def manage(self, *args: str) -> str:
        """Run a management command against the server's database and keys."""
        result = subprocess.run(
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
            env=self.environ,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def deliver_mail(self) -> list[EmailMessage]:
        """Deliver the outbox now (the server runs without a worker) and return the messages
        that arrived since the last call."""
        self.manage("deliver_mail")
        new: list[EmailMessage] = []
        for path in sorted(self.mail_dir.glob("*.log")) if self.mail_dir.exists() else []:
            for chunk in path.read_bytes().decode("utf-8").split(_SEPARATOR):
                if not chunk.strip():
                    continue
                message = email.message_from_string(chunk.lstrip(), policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                key = str(message["Message-ID"])
                if key not in self._seen_mail:
                    self._seen_mail.add(key)
                    new.append(message)
        return new

    def mail_to(self, address: str, timeout: float = 10.0) -> EmailMessage:
        """The newest message to `address`, waiting briefly for it to be written."""
        deadline = time.monotonic() + timeout
        while True:
            arrived: list[EmailMessage] = self.deliver_mail()
            for message in reversed(arrived):
                if address in str(message["To"]):
                    found: EmailMessage = message
                    return found
            if time.monotonic() > deadline:
                raise AssertionError(f"no email to {address}")
            time.sleep(0.3)

    def log(self) -> str:
        path = self.data_dir / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def code_in(message: EmailMessage) -> str:
    """The verification code allauth puts alone on a line (XXXX-XXXX)."""
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", text_of(message), re.MULTILINE)
    assert match is not None, text_of(message)
    return match[1]


def start_server(data_dir: Path) -> Server:
    port = _free_port()
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    environ |= {
        "BUDSTIKKE_DATA_DIR": str(data_dir),
        "PORT": str(port),
        "LANGUAGE_CODE": "en",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(data_dir / "mail"),
    }
    server = Server(port=port, data_dir=data_dir, environ=environ)
    server.manage("migrate", "--noinput")
    log = (data_dir / "server.log").open("wb")
    server.process = subprocess.Popen(
        [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "serve",
            "--no-worker",
            "--workers",
            "1",
        ],
        env=environ,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    cert = data_dir / "tls" / "cert.pem"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if cert.exists() and httpx.get(
                f"{server.url}/healthz", verify=ssl.create_default_context(cafile=str(cert))
            ):
                return server
        except httpx.HTTPError:
            pass
        if server.process.poll() is not None:
            raise AssertionError(server.log() or "the server died")
        time.sleep(0.3)
    stop_server(server)
    raise AssertionError("the server did not answer within 60 s:\n" + server.log())


def stop_server(server: Server) -> None:
    if server.process is None:
        return
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def clear_screenshots() -> None:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
