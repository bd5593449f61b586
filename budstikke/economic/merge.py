"""Three-way merge of one customer, field by field, against the last agreed snapshot (base).

Pure functions over plain dicts of *mapped fields* in canonical form (see `from_economic`), so
the sync engine can store the base as canonical JSON with its hash and the rules can be tested
as properties:

- a field changed on one side only takes that side's value;
- changed on both sides to the same value is no conflict;
- changed on both sides differently is a conflict: e-conomic owns the financial fields and
  always wins them; contact fields follow the tenant's policy (default: e-conomic wins);
- a Budstikke edit of a field e-conomic owns is reverted and kept as a conflict too, so no
  edit is ever lost silently;
- Budstikke-only fields (pickup instructions, tags, notes, ...) never go to e-conomic.
Never wall-clock last-writer-wins: which side changed is decided against the base alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

ECONOMIC_OWNED = frozenset(
    {"currency", "paymentTerms", "vatZone", "customerGroup", "barred", "creditLimit"}
)
TWO_WAY = frozenset(
    {
        "name",
        "address",
        "zip",
        "city",
        "country",
        "email",
        "mobilePhone",
        "telephoneAndFaxNumber",
        "corporateIdentificationNumber",
        "ean",
        "website",
    }
)
MAPPED = ECONOMIC_OWNED | TWO_WAY
# References are kept as their number; e-conomic writes them as {"<x>Number": n}.
REFERENCE_KEYS = {
    "paymentTerms": "paymentTermsNumber",
    "vatZone": "vatZoneNumber",
    "customerGroup": "customerGroupNumber",
}


class Policy(StrEnum):
    ECONOMIC_WINS = "economic_wins"
    BUDSTIKKE_WINS = "budstikke_wins"


class Side(StrEnum):
    ECONOMIC = "economic"
    BUDSTIKKE = "budstikke"


class Reason(StrEnum):
    OWNERSHIP = "ownership"  # e-conomic owns the field
    POLICY = "policy"  # both changed a two-way field; the tenant's policy chose


@dataclass(frozen=True)
class Conflict:
    """A value that lost, kept so an admin can review and re-apply it."""

    field: str
    base: Any
    economic: Any
    budstikke: Any
    winner: Side
    reason: Reason

    @property
    def lost_value(self) -> Any:
        return self.budstikke if self.winner is Side.ECONOMIC else self.economic


@dataclass(frozen=True)
class MergeResult:
    economic: dict[str, Any]  # mapped fields e-conomic should hold afterwards
    budstikke: dict[str, Any]  # Budstikke's fields afterwards (its own fields untouched)
    push: dict[str, Any]  # mapped fields to change in e-conomic (None: clear)
    pull: dict[str, Any]  # fields to change in Budstikke (None: clear)
    conflicts: tuple[Conflict, ...] = field(default_factory=tuple)

    @property
    def base(self) -> dict[str, Any]:
        """The new agreed snapshot, once the push (if any) has been written."""
        return self.economic


def normalise(name: str, value: Any) -> Any:
    """One canonical form per value, so equal data compares and hashes equal."""
    if value is None or value == "":
        return None
    if name == "barred":
        return True if value is True else None
    if name in REFERENCE_KEYS and isinstance(value, Mapping):
        value = value.get(REFERENCE_KEYS[name])
        return int(value) if value is not None else None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value)).normalize()
        return int(number) if number == number.to_integral_value() else float(number)
    if isinstance(value, str):
        return value.strip() or None
    return value


def canonical_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Normalised values with cleared fields left out."""
    out = {name: normalise(name, value) for name, value in fields.items()}
    return {name: value for name, value in out.items() if value is not None}


def from_economic(customer: Mapping[str, Any]) -> dict[str, Any]:
    """The mapped fields of a customer as e-conomic returns it."""
    return canonical_fields({name: customer.get(name) for name in MAPPED})


def to_economic(current: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """`current` (the customer as last read) with the mapped fields set to `fields`: the whole
    object a PUT needs, unmapped e-conomic fields kept, cleared fields left out."""
    body = {name: value for name, value in current.items() if name not in MAPPED}
    for name, value in canonical_fields(fields).items():
        if name not in MAPPED:
            continue
        body[name] = {REFERENCE_KEYS[name]: value} if name in REFERENCE_KEYS else value
    return body


def canonical_json(fields: Mapping[str, Any]) -> str:
    return json.dumps(
        canonical_fields(fields), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def snapshot_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON: equal hashes mean nothing mapped changed."""
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


def merge(
    base: Mapping[str, Any] | None,
    economic: Mapping[str, Any],
    budstikke: Mapping[str, Any],
    *,
    policy: Policy = Policy.ECONOMIC_WINS,
) -> MergeResult:
    """Merge e-conomic's and Budstikke's current fields against `base` (None: never agreed)."""
    base_c = canonical_fields({k: v for k, v in (base or {}).items() if k in MAPPED})
    eco_c = canonical_fields({k: v for k, v in economic.items() if k in MAPPED})
    bud_mapped = canonical_fields({k: v for k, v in budstikke.items() if k in MAPPED})
    merged: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    for name in sorted(base_c.keys() | eco_c.keys() | bud_mapped.keys()):
        b, e, local = base_c.get(name), eco_c.get(name), bud_mapped.get(name)
        if local in (e, b):
            value = e
        elif e == b:
            if name in ECONOMIC_OWNED:
                value = e
                conflicts.append(Conflict(name, b, e, local, Side.ECONOMIC, Reason.OWNERSHIP))
            else:
                value = local
        else:
            owned = name in ECONOMIC_OWNED
            economic_wins = owned or policy is Policy.ECONOMIC_WINS
            winner = Side.ECONOMIC if economic_wins else Side.BUDSTIKKE
            reason = Reason.OWNERSHIP if owned else Reason.POLICY
            value = e if economic_wins else local
            conflicts.append(Conflict(name, b, e, local, winner, reason))
        if value is not None:
            merged[name] = value
    push = {n: merged.get(n) for n in merged.keys() | eco_c.keys() if merged.get(n) != eco_c.get(n)}
    pull = {
        n: merged.get(n)
        for n in merged.keys() | bud_mapped.keys()
        if merged.get(n) != bud_mapped.get(n)
    }
    own = {k: v for k, v in budstikke.items() if k not in MAPPED}
    return MergeResult(
        economic=dict(merged),
        budstikke=own | merged,
        push=push,
        pull=pull,
        conflicts=tuple(conflicts),
    )
