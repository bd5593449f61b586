"""Offline IP -> country: iptocc's RIR data by default, a MaxMind-format .mmdb when configured.

Private, loopback, link-local, documentation and CGNAT (100.64.0.0/10) addresses have no
country: they say nothing about where a person is.
"""

from __future__ import annotations

import functools
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import iptocc
from django.conf import settings

from budstikke.core.clientip import normalise


@dataclass(frozen=True)
class GeoSource:
    """What the operator is told about the data behind every country shown."""

    name: str
    version: str
    built: date | None


def _is_public(address: str) -> bool:
    return ipaddress.ip_address(address).is_global


@functools.cache
def _reader(path: str) -> Any:
    import maxminddb

    return maxminddb.open_database(path)


def _from_mmdb(path: str, address: str) -> str | None:
    record = _reader(path).get(address)
    if not isinstance(record, dict):
        return None
    for key in ("country", "registered_country"):
        section = record.get(key)
        if isinstance(section, dict) and isinstance(section.get("iso_code"), str):
            return str(section["iso_code"]).upper()[:2]
    return None


def country_of(address: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code of a public address, None for anything without a country."""
    address = normalise(address) if address else None
    if address is None or not _is_public(address):
        return None
    mmdb = settings.SHIELD_GEOIP_MMDB
    if mmdb:
        return _from_mmdb(mmdb, address)
    code = iptocc.country_code(address)
    return code.upper() if code else None


@functools.cache
def _iptocc_source() -> GeoSource:
    version = metadata.version("iptocc")
    built: date | None = None
    dist = metadata.distribution("iptocc")
    for file in dist.files or ():
        if file.name.endswith(".cyclonedx.json"):
            try:
                stamp = json.loads(Path(str(file.locate())).read_text("utf-8"))["metadata"]
                built = datetime.fromisoformat(stamp["timestamp"][:19]).date()
            except (OSError, KeyError, ValueError):
                built = None
            break
    return GeoSource("iptocc (RIR allocation data)", version, built)


def source() -> GeoSource:
    mmdb = settings.SHIELD_GEOIP_MMDB
    if mmdb:
        meta = _reader(mmdb).metadata()
        built = datetime.fromtimestamp(int(meta.build_epoch), tz=UTC).date()
        return GeoSource(f"{meta.database_type} ({Path(mmdb).name})", "", built)
    return _iptocc_source()
