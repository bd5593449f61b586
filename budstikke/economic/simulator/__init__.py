"""A faithful local e-conomic: `Simulator` (WSGI app), its store, faults and server."""

from __future__ import annotations

from budstikke.economic.simulator.app import ConnectionDroppedError, Simulator
from budstikke.economic.simulator.store import (
    DEFAULT_AGREEMENT,
    DEMO_AGREEMENT,
    DEMO_TOKEN,
    SIMULATOR_APP_PUBLIC,
    SIMULATOR_APP_SECRET,
    Fault,
    Store,
)

__all__ = [
    "DEFAULT_AGREEMENT",
    "DEMO_AGREEMENT",
    "DEMO_TOKEN",
    "SIMULATOR_APP_PUBLIC",
    "SIMULATOR_APP_SECRET",
    "ConnectionDroppedError",
    "Fault",
    "Simulator",
    "Store",
]
