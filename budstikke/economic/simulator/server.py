"""Serve the simulator over loopback HTTP with a threaded wsgiref server.

A dropped-connection fault closes the socket without a byte of answer, as a crashed proxy
would; queued web hooks are delivered by a background thread.
"""

from __future__ import annotations

import logging
import socket
import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer, make_server

import httpx

from budstikke.economic.simulator.app import ConnectionDroppedError, Simulator

logger = logging.getLogger(__name__)


class _RequestHandler(WSGIRequestHandler):
    def handle(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return
        app = self.server.get_app()  # type: ignore[attr-defined]
        dropped = False

        def guarded(environ: dict[str, Any], start_response: Any) -> Any:
            nonlocal dropped
            try:
                return app(environ, start_response)
            except ConnectionDroppedError:
                dropped = True
                raise

        handler = ServerHandler(
            self.rfile,
            self.wfile,  # type: ignore[arg-type]
            self.get_stderr(),
            self.get_environ(),
            multithread=True,
        )
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.run(guarded)
        if dropped:
            # wsgiref swallows a ConnectionResetError without answering; close the socket now.
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("simulator %s", format % args)


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


def send_webhook(method: str, url: str) -> None:
    response = httpx.request(method, url, timeout=5.0, follow_redirects=False)
    response.raise_for_status()


def make_simulator_server(simulator: Simulator, host: str, port: int) -> ThreadingWSGIServer:
    server = make_server(
        host, port, simulator, server_class=ThreadingWSGIServer, handler_class=_RequestHandler
    )
    return server


def deliver_webhooks_forever(
    simulator: Simulator, stop: threading.Event, interval: float = 0.5
) -> None:
    while not stop.wait(interval):
        simulator.store.deliver_webhooks(send_webhook)
