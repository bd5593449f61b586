"""What an API key may do. A key carries a subset of these; endpoints name the one they need."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SCOPES = {
    "shipments:read": _("Read shipments"),
    "shipments:write": _("Create and change shipments"),
    "customers:read": _("Read customers"),
    "customers:write": _("Create and change customers"),
}

# Apps with API endpoints of their own keep their scopes' labels (and translations) there.
from budstikke.webhooks.scopes import SCOPES as _WEBHOOK_SCOPES  # noqa: E402

SCOPES |= _WEBHOOK_SCOPES


def parse_scopes(text: str) -> list[str]:
    """`shipments:read,shipments:write` → a sorted list; unknown scopes are an error."""
    wanted = sorted({part.strip() for part in text.split(",") if part.strip()})
    unknown = [scope for scope in wanted if scope not in SCOPES]
    if unknown:
        raise ValueError(
            f"unknown scope(s): {', '.join(unknown)}; known: {', '.join(sorted(SCOPES))}"
        )
    if not wanted:
        raise ValueError("name at least one scope")
    return wanted
