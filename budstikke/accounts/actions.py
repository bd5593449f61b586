"""Writes on accounts."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from budstikke.accounts.models import User


@transaction.atomic
def end_all_sessions(user: User) -> None:
    """Sign the user out of every session, everywhere, at their next request.

    Raising the epoch invalidates every session stamped with the old one, whatever the
    session store; used by "log out everywhere" and when an admin removes a member.
    """
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
