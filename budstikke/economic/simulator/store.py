"""The simulator's in-memory state: agreements, their records, tokens, webhooks and faults.

One re-entrant lock guards everything, so the threaded server and tests may share a store.
"""

from __future__ import annotations

import secrets
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from budstikke.core import clock

DEMO_TOKEN = "demo"  # noqa: S105 - e-conomic's public read-only demo token
DEMO_AGREEMENT = 686_868
DEFAULT_AGREEMENT = 1_000_001
SIMULATOR_APP_SECRET = "simulator-app-secret"  # noqa: S105 - the fake's own app
SIMULATOR_APP_PUBLIC = "simulator-app-public"

FAULT_KINDS = (
    "rate_limit",
    "server_error",
    "slow",
    "drop_before_commit",
    "drop_after_commit",
    "redirect",
)


@dataclass
class Fault:
    """One injected failure; matches requests by method and path prefix, `times` times
    (None: until cleared)."""

    kind: str
    method: str | None = None
    path: str | None = None
    times: int | None = 1
    retry_after: int | None = 1
    delay: float = 0.0
    location: str = "https://elsewhere.invalid/customers"

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(FAULT_KINDS)}")
        if self.method:
            self.method = self.method.upper()

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or path.startswith(self.path)
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Hook:
    """A classic "customer updated" web hook: a URL with [OLDNUMBER] and [NEWNUMBER]."""

    url: str
    method: str = "POST"

    def render(self, old: int, new: int) -> str:
        return self.url.replace("[OLDNUMBER]", str(old)).replace("[NEWNUMBER]", str(new))


@dataclass
class Agreement:
    number: int
    company: str
    customers: dict[int, dict[str, Any]] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    drafts: dict[int, dict[str, Any]] = field(default_factory=dict)
    hooks: list[Hook] = field(default_factory=list)
    next_draft: int = 1

    def next_customer_number(self) -> int:
        return max(self.customers, default=0) + 1


@dataclass
class Delivery:
    method: str
    url: str
    attempts: int = 0


class Store:
    """Everything the simulated e-conomic knows; use `with store.lock:` for compound work."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.agreements: dict[int, Agreement] = {}
        self.apps: dict[str, str] = {SIMULATOR_APP_SECRET: SIMULATOR_APP_PUBLIC}
        self.grants: dict[str, tuple[str, int]] = {}
        self.faults: list[Fault] = []
        self.outbox: deque[Delivery] = deque()
        self.request_count = 0
        self.agreement(DEFAULT_AGREEMENT, "Simuleret Kurer ApS")
        demo = self.agreement(DEMO_AGREEMENT, "Demo Agreement")
        for number, name in ((1, "Demo Customer A/S"), (2, "Demo Shipper ApS")):
            demo.customers[number] = {
                "customerNumber": number,
                "name": name,
                "currency": "DKK",
                "customerGroup": 1,
                "paymentTerms": 1,
                "vatZone": 1,
                "lastUpdated": clock.now().replace(microsecond=0),
            }

    def agreement(self, number: int, company: str | None = None) -> Agreement:
        with self.lock:
            if number not in self.agreements:
                self.agreements[number] = Agreement(number, company or f"Company {number}")
            return self.agreements[number]

    def register_app(self, secret: str, public: str) -> None:
        with self.lock:
            self.apps[secret] = public

    def app_secret_for(self, public: str) -> str | None:
        with self.lock:
            return next((s for s, p in self.apps.items() if p == public), None)

    def grant(
        self,
        app_secret: str = SIMULATOR_APP_SECRET,
        agreement: int = DEFAULT_AGREEMENT,
        token: str | None = None,
    ) -> str:
        """A new agreement grant token for the app, as approving the request-access page does."""
        with self.lock:
            if app_secret not in self.apps:
                raise ValueError("unknown app")
            self.agreement(agreement)
            token = token or secrets.token_urlsafe(32)
            self.grants[token] = (app_secret, agreement)
            return token

    def resolve(self, app_secret: str, grant: str) -> tuple[Agreement, bool] | None:
        """The agreement the tokens open, and whether it is read-only; None when refused."""
        with self.lock:
            if app_secret == DEMO_TOKEN and grant == DEMO_TOKEN:
                return self.agreements[DEMO_AGREEMENT], True
            granted = self.grants.get(grant)
            if app_secret not in self.apps or granted is None or granted[0] != app_secret:
                return None
            return self.agreements[granted[1]], False

    # Faults
    def add_fault(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    return fault
            return None

    # Webhooks
    def customer_changed(self, agreement: Agreement, old: int, new: int) -> None:
        with self.lock:
            for hook in agreement.hooks:
                self.outbox.append(Delivery(hook.method, hook.render(old, new)))

    def deliver_webhooks(self, send: Callable[[str, str], None], max_attempts: int = 3) -> int:
        """Send what is queued; a failed call stays queued for a later round. Returns sent."""
        with self.lock:
            batch = list(self.outbox)
            self.outbox.clear()
        sent = 0
        for delivery in batch:
            try:
                send(delivery.method, delivery.url)
                sent += 1
            except Exception:  # any failure of the receiver means "try later"
                delivery.attempts += 1
                if delivery.attempts < max_attempts:
                    with self.lock:
                        self.outbox.append(delivery)
        return sent

    # Changes an accountant makes in e-conomic's own screens
    def touch(self, record: dict[str, Any]) -> None:
        record["lastUpdated"] = clock.now().replace(microsecond=0)

    def edit_customer(self, agreement: int, number: int, **changes: Any) -> dict[str, Any]:
        """Change a customer as a user of e-conomic would (None clears a field)."""
        with self.lock:
            place = self.agreements[agreement]
            record = place.customers[number]
            for key, value in changes.items():
                if value is None or value is False:
                    record.pop(key, None)
                else:
                    record[key] = value
            self.touch(record)
            self.customer_changed(place, number, number)
            return dict(record)

    def renumber_customer(self, agreement: int, old: int, new: int) -> None:
        with self.lock:
            place = self.agreements[agreement]
            if new in place.customers:
                raise ValueError("customer number in use")
            record = place.customers.pop(old)
            record["customerNumber"] = new
            self.touch(record)
            place.customers[new] = record
            self.customer_changed(place, old, new)


_CITIES = [("1050", "København K"), ("8000", "Aarhus C"), ("5000", "Odense C"), ("9000", "Aalborg")]


def seed_customers(store: Store, agreement: int, count: int, start: int = 1) -> None:
    """`count` plausible customers numbered from `start`, for the demo and benchmarks."""
    with store.lock:
        place = store.agreement(agreement)
        moment = clock.now().replace(microsecond=0)
        for number in range(start, start + count):
            postcode, city = _CITIES[number % len(_CITIES)]
            place.customers[number] = {
                "customerNumber": number,
                "name": f"Kunde {number:06d} ApS",
                "address": f"Havnegade {number % 200 + 1}",
                "zip": postcode,
                "city": city,
                "country": "Danmark",
                "email": f"kunde{number}@example.dk",
                "mobilePhone": f"+45 20{number % 1_000_000:06d}",
                "corporateIdentificationNumber": f"{30_000_000 + number}",
                "currency": "DKK",
                "customerGroup": 1,
                "paymentTerms": 1,
                "vatZone": 1,
                "lastUpdated": moment,
            }
