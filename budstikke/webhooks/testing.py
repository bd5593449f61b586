"""Test support for web hooks: a local receiver and an endpoint sample for outsider tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from django.db import models

from budstikke.webhooks import actions
from budstikke.webhooks.models import Endpoint, EventType

if TYPE_CHECKING:
    from budstikke.tenants.testing import Personas


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    path: str


@dataclass
class Receiver:
    """What a shipper's system got; `answers` are the status codes to give, in order (the
    last one repeats)."""

    port: int = 0
    answers: list[int] = field(default_factory=lambda: [200])
    calls: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/budstikke"


@contextmanager
def local_receiver(*answers: int) -> Iterator[Receiver]:
    receiver = Receiver(answers=list(answers) or [200])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            receiver.calls.append(
                Received({k.lower(): v for k, v in self.headers.items()}, body, self.path)
            )
            index = min(len(receiver.calls), len(receiver.answers)) - 1
            self.send_response(receiver.answers[index])
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def _an_endpoint(p: Personas) -> models.Model:
    endpoint, _secret = actions.create_endpoint(
        p.tenant_a,
        url="https://hooks.example.com/budstikke",
        events=[EventType.CREATED],
        by=p.alice,
    )
    return endpoint


OUTSIDER_SAMPLES: dict[type[models.Model], Callable[[Personas], models.Model]] = {
    Endpoint: _an_endpoint,
}
