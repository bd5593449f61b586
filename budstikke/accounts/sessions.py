"""Session lifetime: idle and absolute timeouts, and "log out everywhere" by epoch.

Each signed-in session carries the time of login, the time it was last seen and the user's
session epoch at login. A session ends when it has been idle too long, lived too long, or
its epoch no longer matches the user's (`actions.end_all_sessions` raised it). Times come
from `clock.now()` so tests can move them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest

from budstikke.core import clock

if TYPE_CHECKING:
    from budstikke.accounts.models import User

AUTH_AT = "budstikke.auth_at"
SEEN_AT = "budstikke.seen_at"
EPOCH = "budstikke.epoch"
# Writing the session on every request costs a database write; a minute's precision is enough.
_TOUCH_EVERY_SECONDS = 60


def is_stamped(request: HttpRequest) -> bool:
    return EPOCH in request.session


def stamp(request: HttpRequest, user: User) -> None:
    """Start the clocks of a freshly signed-in session."""
    now = clock.now().timestamp()
    request.session[AUTH_AT] = now
    request.session[SEEN_AT] = now
    request.session[EPOCH] = user.session_epoch


def end_reason(request: HttpRequest, user: User) -> str | None:
    """Why this session must end now ("ended", "expired", "idle"), or None if it may go on."""
    return end_reason_of(request.session, user)


def end_reason_of(session: Mapping[str, Any], user: User) -> str | None:
    """`end_reason` for a session's stored data (another user's session, read from the store)."""
    if session.get(EPOCH) != user.session_epoch:
        return "ended"
    now = clock.now().timestamp()
    try:
        auth_at = float(session[AUTH_AT])
        seen_at = float(session[SEEN_AT])
    except (KeyError, TypeError, ValueError):
        return "expired"
    if now - auth_at >= settings.SESSION_COOKIE_AGE:
        return "expired"
    if now - seen_at >= settings.SESSION_IDLE_TIMEOUT_SECONDS:
        return "idle"
    return None


def touch(request: HttpRequest) -> None:
    now = clock.now().timestamp()
    if now - float(request.session.get(SEEN_AT, 0)) >= _TOUCH_EVERY_SECONDS:
        request.session[SEEN_AT] = now
