"""The embedded server as a user meets it: TLS only, 1.2 and 1.3, HSTS, no plaintext page."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.conf import settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    data_dir = tmp_path_factory.mktemp("data")
    port = _free_port()
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ |= {"BUDSTIKKE_DATA_DIR": str(data_dir), "PORT": str(port)}
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run(
        [*manage, "migrate", "--noinput"],
        env=environ,
        check=True,
        capture_output=True,
        cwd=settings.BASE_DIR,
    )
    process = subprocess.Popen(
        [*manage, "serve", "--no-worker", "--workers", "1"],
        env=environ,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    cert = data_dir / "tls" / "cert.pem"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if cert.exists() and httpx.get(
                f"https://localhost:{port}/healthz",
                verify=ssl.create_default_context(cafile=str(cert)),
            ):
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise AssertionError(process.stdout.read().decode() if process.stdout else "died")
        time.sleep(0.3)
    else:
        process.kill()
        raise AssertionError("the server did not answer within 60 s")
    yield port, cert
    process.terminate()
    process.wait(timeout=20)


def test_healthz_over_tls_with_hsts(server: tuple[int, Path]) -> None:
    port, cert = server
    response = httpx.get(
        f"https://localhost:{port}/healthz", verify=ssl.create_default_context(cafile=str(cert))
    )
    assert response.status_code == 200
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_the_certificate_names_localhost_and_both_loopbacks(server: tuple[int, Path]) -> None:
    _, cert = server
    text = subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-noout", "-ext", "subjectAltName"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "DNS:localhost" in text
    assert "IP Address:127.0.0.1" in text
    assert "IP Address:0:0:0:0:0:0:0:1" in text


def _handshake(port: int, flag: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "openssl",
            "s_client",
            "-connect",
            f"127.0.0.1:{port}",
            flag,
            "-cipher",
            "DEFAULT:@SECLEVEL=0",
        ],
        input="",
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


@pytest.mark.parametrize(("flag", "protocol"), [("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")])
def test_tls_1_2_and_1_3_are_accepted(server: tuple[int, Path], flag: str, protocol: str) -> None:
    result = _handshake(server[0], flag)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"New, {protocol}, Cipher is" in result.stdout


@pytest.mark.parametrize("flag", ["-tls1", "-tls1_1"])
def test_old_tls_is_refused_by_the_server(server: tuple[int, Path], flag: str) -> None:
    result = _handshake(server[0], flag)
    assert result.returncode != 0
    assert "alert" in result.stderr  # the server answered with a TLS alert: it refused


def test_weak_ciphers_are_refused(server: tuple[int, Path]) -> None:
    result = subprocess.run(
        [
            "openssl",
            "s_client",
            "-connect",
            f"127.0.0.1:{server[0]}",
            "-tls1_2",
            "-cipher",
            "AES128-SHA:DES-CBC3-SHA:RC4-SHA:@SECLEVEL=0",
        ],
        input="",
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert result.returncode != 0
    assert "alert" in result.stderr


def test_plain_http_gets_no_page(server: tuple[int, Path]) -> None:
    with socket.create_connection(("127.0.0.1", server[0]), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        try:
            answer = sock.recv(4096)
        except (ConnectionResetError, TimeoutError):
            answer = b""
    assert b"<html" not in answer.lower()
    assert not answer.startswith(b"HTTP/1.1 200")
