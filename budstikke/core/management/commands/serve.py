"""`manage.py serve`: the HTTPS web server and the worker under one command; Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from budstikke.core.tls import ensure_self_signed


def web_command(port: int, workers: int) -> list[str]:
    if settings.TLS_CERT and settings.TLS_KEY:
        cert, key = Path(settings.TLS_CERT), Path(settings.TLS_KEY)
    else:
        cert, key = ensure_self_signed(settings.TLS_DIR)
    return [
        str(Path(sys.executable).with_name("granian")),
        "--interface",
        "wsgi",
        "--host",
        settings.BIND,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(min(8, 2 * (os.cpu_count() or 1) + 1)),
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


def worker_command() -> list[str]:
    return [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_huey", "--quiet"]


class Command(BaseCommand):
    help = "Run the HTTPS web server and the background worker together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--workers", type=int, default=settings.WEB_WORKERS)
        parser.add_argument("--no-worker", action="store_true", help="web server only")

    def handle(self, *args: Any, **options: Any) -> None:
        port: int = options["port"]
        commands = {"web": web_command(port, options["workers"])}
        if not options["no_worker"]:
            commands["worker"] = worker_command()
        from budstikke.economic.demo import simulator_command

        simulator_argv, demo_tenant = simulator_command(
            str(settings.BASE_DIR / "manage.py"), sys.executable
        )
        if simulator_argv:
            commands["e-conomic simulator"] = simulator_argv
        children = {
            name: subprocess.Popen(argv, cwd=settings.BASE_DIR)  # noqa: S603 - our own argv
            for name, argv in commands.items()
        }
        if demo_tenant is not None and "worker" in children:
            from budstikke.economic.tasks import sync_tenant

            sync_tenant.schedule(args=(demo_tenant,), delay=3)  # once the simulator listens
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        host = "localhost" if settings.BIND in ("127.0.0.1", "0.0.0.0", "::") else settings.BIND  # noqa: S104
        self.stdout.write(
            f"Budstikke is running at https://{host}:{port}/ "
            f"(web{' + worker' if 'worker' in children else ''}; data in {settings.DATA_DIR}).\n"
            "The certificate is self-signed unless BUDSTIKKE_TLS_CERT is set: "
            "accept it once in the browser.\n"
            "Log in as a demo user printed by `manage.py demo`. Press Ctrl-C to stop."
        )
        exit_code = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"{name} exited with status {child.returncode}; stopping.")
                    exit_code = 1
                    stopping = True
            time.sleep(0.2)
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 15
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        self.stdout.write("Stopped.")
        if exit_code:
            sys.exit(exit_code)
