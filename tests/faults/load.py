"""A small request driver for the fault tests: threads that keep asking the running server
for a few pages and record every answer (or failure to answer) with its time."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import httpx

from tests.faults.processes import Server

# What must never appear in an answer, whatever broke: a traceback, driver or SQL details,
# connection strings.
LEAKS = (
    "Traceback",
    "psycopg",
    "OperationalError",
    "InterfaceError",
    "postgres://",
    "redis://",
    "ConnectionError",
    "connection to server",
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    'File "',
)


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    json: object = None


@dataclass(frozen=True)
class Sample:
    at: float
    target: str
    status: int | None  # None: no answer at all (connection refused, reset, timeout)
    content_type: str
    body: str
    error: str = ""
    retry_after: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def leaks(self) -> list[str]:
        return [word for word in LEAKS if word in self.body]


class Load:
    """`threads` clients, each sending the targets in turn every `pause` seconds."""

    def __init__(
        self,
        server: Server,
        targets: list[Target],
        *,
        threads: int = 3,
        pause: float = 0.2,
        sources: int = 0,
    ) -> None:
        """`sources` > 0: each request comes from one of that many addresses (through
        X-Forwarded-For; the server must trust loopback as its proxy), as real visitors do,
        so per-address limits (tracking lookups, the request-flood detector) see a crowd."""
        self.sources = sources
        self._count = 0
        self.server = server
        self.targets = targets
        self.threads_count = threads
        self.pause = pause
        self.samples: list[Sample] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> Load:
        for index in range(self.threads_count):
            thread = threading.Thread(target=self._run, args=(index,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def _run(self, index: int) -> None:
        turn = index
        with self.server.client(timeout=10) as client:
            while not self._stop.is_set():
                target = self.targets[turn % len(self.targets)]
                turn += 1
                headers = dict(target.headers)
                if self.sources:
                    with self._lock:
                        self._count += 1
                        headers["X-Forwarded-For"] = f"198.51.100.{self._count % self.sources + 1}"
                self._record(self._one(client, target, headers))
                self._stop.wait(self.pause)

    @staticmethod
    def _one(client: httpx.Client, target: Target, headers: dict[str, str]) -> Sample:
        at = time.monotonic()
        try:
            response = client.request(target.method, target.path, headers=headers, json=target.json)
        except httpx.HTTPError as exc:
            return Sample(at, target.name, None, "", "", error=type(exc).__name__)
        return Sample(
            at,
            target.name,
            response.status_code,
            response.headers.get("content-type", ""),
            response.text[:5000],
            retry_after=response.headers.get("retry-after"),
        )

    def _record(self, sample: Sample) -> None:
        with self._lock:
            self.samples.append(sample)

    def between(self, start: float, end: float) -> list[Sample]:
        with self._lock:
            return [s for s in self.samples if start <= s.at < end]

    def wait_until(self, moment: float) -> None:
        while time.monotonic() < moment:
            time.sleep(0.05)


def recovered_at(samples: list[Sample]) -> float | None:
    """The time from which every answer was a success (None: the last one failed)."""
    last_failure = max((s.at for s in samples if not s.ok), default=None)
    later = [s.at for s in samples if s.ok and (last_failure is None or s.at > last_failure)]
    return min(later, default=None)


def summary(samples: list[Sample]) -> str:
    counts: dict[str, int] = {}
    for sample in samples:
        key = f"{sample.target}:{sample.status if sample.status is not None else sample.error}"
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{key}x{count}" for key, count in sorted(counts.items()))
