"""Which WSGI server to embed: granian and gunicorn on the same trivial view, measured with wrk.

Both run the full Budstikke middleware in front of a view that returns "ok", with the same
number of worker processes and threads, terminating TLS themselves (the embedded default).
Prints requests/s of each and the ratio granian/gunicorn (goal: the embedded one is at least
as fast). Loopback only, bounded in time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from bench.report import result  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return "wrk"


def certificate(directory: Path) -> tuple[Path, Path]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.trivial")
    import django

    django.setup()
    from budstikke.core.tls import ensure_self_signed

    return ensure_self_signed(directory)


def server_argv(
    name: str, port: int, workers: int, threads: int, cert: Path, key: Path
) -> list[str]:
    if name == "granian":
        return [
            str(BIN / "granian"),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--ssl-certificate",
            str(cert),
            "--ssl-keyfile",
            str(key),
            "--ssl-protocol-min",
            "tls1.2",
            "--no-access-log",
            "--log-level",
            "warning",
            "budstikke.wsgi:application",
        ]
    return [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--certfile",
        str(cert),
        "--keyfile",
        str(key),
        "--log-level",
        "warning",
        "budstikke.wsgi:application",
    ]


def wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("server did not start")


def warm(port: int) -> None:
    """gunicorn loads the application in each worker on its first request (seconds), longer
    than wrk's 2 s timeout: ask until every worker has answered before measuring."""
    import ssl
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    def ask(_n: int) -> int:
        with urllib.request.urlopen(
            f"https://127.0.0.1:{port}/", context=context, timeout=60
        ) as answer:
            return int(answer.status)

    with ThreadPoolExecutor(16) as pool:
        for _round in range(2):
            list(pool.map(ask, range(32)))


def measure(
    wrk: str, name: str, args: argparse.Namespace, cert: Path, key: Path, data_dir: Path
) -> float:
    port = free_port()
    environ = os.environ | {
        "DJANGO_SETTINGS_MODULE": "bench.trivial",
        "LOG_LEVEL": "WARNING",
        "BUDSTIKKE_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(ROOT),
        # wrk is one address asking thousands of times a second: the shield's request-flood
        # scenario would refuse and ban it. The shield still runs in front of every request.
        "SHIELD_ALLOW_CIDRS": "127.0.0.1/32",
    }
    argv = server_argv(name, port, args.workers, args.threads, cert, key)
    process = subprocess.Popen(
        argv, cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_up(port, process)
        warm(port)
        url = f"https://127.0.0.1:{port}/"
        subprocess.run([wrk, "-t1", "-c8", "-d2s", url], capture_output=True, check=True)  # warm
        output = subprocess.run(
            [wrk, f"-t{args.threads_wrk}", f"-c{args.connections}", f"-d{args.seconds}s", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        process.terminate()
        process.wait(timeout=20)
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if match is None or errors is not None:
        raise SystemExit(f"{name}: wrk reported errors or no rate:\n{output}")
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--threads-wrk", type=int, default=2)
    args = parser.parse_args()
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        os.environ["BUDSTIKKE_DATA_DIR"] = str(data_dir)
        cert, key = certificate(data_dir / "tls")
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # the shield and sessions read their tables
        rates = {
            name: measure(wrk, name, args, cert, key, data_dir) for name in ("granian", "gunicorn")
        }
    print(f"{'server':<10} {'requests/s':>12}")
    for name, rate in rates.items():
        print(f"{name:<10} {rate:>12.0f}")
    print(f"ratio granian/gunicorn: {rates['granian'] / rates['gunicorn']:.2f}")
    result(
        "server",
        "trivial view behind the full middleware, granian (embedded) vs gunicorn",
        rates["granian"],
        unit="req/s",
        baseline=rates["gunicorn"],
        goal="ratio >= 1",
        met=rates["granian"] >= rates["gunicorn"],
    )


if __name__ == "__main__":
    main()
