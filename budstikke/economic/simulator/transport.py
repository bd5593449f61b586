"""Serve the simulator in-process to an httpx client, dropped connections included."""

from __future__ import annotations

import httpx

from budstikke.economic.simulator.app import ConnectionDroppedError, Simulator


class SimulatorTransport(httpx.WSGITransport):
    """A WSGI transport where the app dropping the connection looks as it does on a socket."""

    def __init__(self, simulator: Simulator) -> None:
        super().__init__(app=simulator)
        self.simulator = simulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        except ConnectionDroppedError as exc:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from exc
