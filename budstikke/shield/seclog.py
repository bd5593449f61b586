"""The security log: one stable line per event and decision, for fail2ban and log shipping.

Format (fields in this order, never reordered; new fields only ever appended):

    2026-11-24T10:00:00Z budstikke-shield event=login_failed ip=192.0.2.7 country=DE path="/x"
    2026-11-24T10:00:00Z budstikke-shield ban ip=192.0.2.7 scenario=exploit-probe until=...
    2026-11-24T10:00:00Z budstikke-shield unban ip=192.0.2.7

The address comes before anything a client controls, and the path is JSON-quoted (quotes,
backslashes and control characters escaped), so no request can forge a field or a line.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from budstikke.core import clock

logger = logging.getLogger("budstikke.security")


def _stamp(at: datetime | None = None) -> str:
    return (at or clock.now()).strftime("%Y-%m-%dT%H:%M:%SZ")


def event(kind: str, ip: str | None, country: str, path: str, at: datetime | None) -> None:
    logger.info(
        "%s budstikke-shield event=%s ip=%s country=%s path=%s",
        _stamp(at),
        kind,
        ip or "-",
        country or "-",
        json.dumps(path[:300], ensure_ascii=True),
    )


def ban(network: str, scenario: str, until: datetime, origin: str) -> None:
    logger.info(
        "%s budstikke-shield ban ip=%s scenario=%s until=%s origin=%s",
        _stamp(),
        network,
        scenario,
        _stamp(until),
        origin,
    )


def unban(network: str) -> None:
    logger.info("%s budstikke-shield unban ip=%s", _stamp(), network)
