"""The API scopes of web hook endpoints (merged into `budstikke.api.scopes.SCOPES`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SCOPES = {
    "webhooks:read": _("Read web hook endpoints and their deliveries"),
    "webhooks:write": _("Create, change and delete web hook endpoints"),
}
