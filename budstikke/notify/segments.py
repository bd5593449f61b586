"""How many SMS segments a text costs: GSM 03.38 (7-bit) when every character is in the
basic table or its extension table, UCS-2 otherwise. A single message holds 160 septets or
70 UTF-16 units; a concatenated one loses room to its header: 153 septets or 67 units per
segment. An escape pair (extension character) or a surrogate pair is never split.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7 = "GSM-7"
UCS2 = "UCS-2"

LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class SegmentInfo:
    encoding: str
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int  # room in each segment at this length

    def cost(self, price: Decimal) -> Decimal:
        return price * self.segments


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def _unit_sizes(text: str, encoding: str) -> list[int]:
    if encoding == GSM7:
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def count(text: str) -> SegmentInfo:
    encoding = GSM7 if is_gsm7(text) else UCS2
    single, multi = LIMITS[encoding]
    sizes = _unit_sizes(text, encoding)
    units = sum(sizes)
    if units <= single:
        return SegmentInfo(encoding, units, 1, single)
    segments, used = 1, 0
    for size in sizes:
        if used + size > multi:
            segments += 1
            used = 0
        used += size
    return SegmentInfo(encoding, units, segments, multi)
