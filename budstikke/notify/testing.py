"""Local fakes of the SMS gateways for tests: they answer in the real shapes, remember
every request, and sign delivery reports the way the real services do."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import jwt

from budstikke.notify.callbacks import twilio_signature

GATEWAYAPI_TOKEN = "gwapi-test-token"  # noqa: S105 - fake credentials for the fakes
GATEWAYAPI_SECRET = "gwapi-webhook-secret-for-tests-only-32b"  # noqa: S105
TWILIO_SID = "AC00000000000000000000000000000001"
TWILIO_TOKEN = "twilio-auth-token-for-tests"  # noqa: S105
TWILIO_FROM = "+4520000000"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode()))


@dataclass
class FakeGatewayApi:
    """`POST /rest/mtsms` with `Authorization: Token …`; answers `{"ids": [n]}`.
    `fail_with` makes the next answers that status instead."""

    received: list[Received] = field(default_factory=list)
    fail_with: list[int] = field(default_factory=list)
    on_request: Callable[[Received], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        if method != "POST" or path != "/rest/mtsms":
            return 404, {"code": "0x0404", "message": "not found"}
        if headers.get("authorization") != f"Token {GATEWAYAPI_TOKEN}":
            return 401, {"code": "0x0203", "message": "Unauthorized"}
        with self.lock:
            entry = Received(path, headers, body)
            self.received.append(entry)
            number = len(self.received)
            failure = self.fail_with.pop(0) if self.fail_with else None
        if self.on_request is not None:
            self.on_request(entry)
        if failure is not None:
            return failure, {"code": "0x0900", "message": "try later"}
        return 200, {"ids": [1000 + number], "usage": {"currency": "DKK"}}

    def references(self) -> list[str]:
        return [entry.json()["userref"] for entry in self.received]

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            status, data = self.answer(
                request.method,
                request.url.path,
                {k.lower(): v for k, v in request.headers.items()},
                request.content,
            )
            return httpx.Response(status, json=data)

        return httpx.MockTransport(handle)

    @staticmethod
    def report(reference: str, status: str, message_id: int = 1001) -> dict[str, str]:
        """Headers and body of GatewayAPI's signed status webhook."""
        claims = {
            "id": message_id,
            "msisdn": 4512345678,
            "time": 1700000000,
            "status": status,
            "userref": reference,
            "charge_status": "CAPTURED",
        }
        token = jwt.encode(claims, GATEWAYAPI_SECRET, algorithm="HS256")
        return {"body": json.dumps(claims), "signature": token}


@dataclass
class FakeTwilio:
    """`POST /2010-04-01/Accounts/{Sid}/Messages.json`, basic auth, form body; 201 + sid."""

    received: list[Received] = field(default_factory=list)
    fail_with: list[int] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        expected_auth = "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode(
            "ascii"
        )

        def handle(request: httpx.Request) -> httpx.Response:
            if request.url.path != f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json":
                return httpx.Response(404, json={"code": 20404, "message": "not found"})
            if request.headers.get("authorization") != expected_auth:
                return httpx.Response(401, json={"code": 20003, "message": "Authenticate"})
            self.received.append(Received(request.url.path, dict(request.headers), request.content))
            if self.fail_with:
                status = self.fail_with.pop(0)
                return httpx.Response(status, json={"code": 21211, "message": "Invalid 'To'"})
            sid = f"SM{len(self.received):032d}"
            return httpx.Response(201, json={"sid": sid, "status": "queued"})

        return httpx.MockTransport(handle)

    @staticmethod
    def report(callback_url: str, status: str, sid: str = "SM1") -> tuple[dict[str, str], str]:
        """Form fields and X-Twilio-Signature of Twilio's status callback to `callback_url`."""
        params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": TWILIO_SID}
        return params, twilio_signature(callback_url, list(params.items()), TWILIO_TOKEN)


class FakeGatewayApiServer:
    """The fake GatewayAPI on a real loopback socket, for a worker in another process."""

    def __init__(self, fake: FakeGatewayApi) -> None:
        self.fake = fake
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, data = outer.fake.answer("POST", urlsplit(self.path).path, headers, body)
                payload = json.dumps(data).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the worker was killed while we answered

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeGatewayApiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
