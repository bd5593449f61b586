"""Message texts with placeholders: `{company}`, `{tracking_link}`, `{time_window}`.

Rendering is plain substitution of known names (no format strings, so a template can reach
nothing but the values it is given); validation names any unknown placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from budstikke.notify.events import PLACEHOLDERS

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


def render(text: str, context: Mapping[str, object]) -> str:
    """Fill the placeholders; a missing value becomes empty, and doubled spaces close up."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        return str(context.get(name) or "")

    filled = _PLACEHOLDER.sub(value, text)
    return re.sub(r"[ \t]{2,}", " ", filled).replace(" .", ".").strip()
