"""What a tenant admin sees of their own members' security: sign-in attempts on their
accounts, the bans those attempts led to, and the sessions they have signed in.

Everything starts from the tenant's memberships, so a person who belongs to two companies is
visible to both admins and an outsider's attempts and sessions never reach either. Sessions
come from allauth's `UserSession` (the address and browser at sign-in) and live only while
the session itself does, by the rules `accounts.sessions` applies at every request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from allauth.usersessions.models import UserSession
from django.contrib.auth import SESSION_KEY as AUTH_USER_SESSION_KEY
from django.contrib.sessions.models import Session
from django.db.models import Q, QuerySet

from budstikke.accounts import sessions as session_rules
from budstikke.accounts.models import User
from budstikke.core import clock
from budstikke.shield import geoip
from budstikke.shield.events import account_key
from budstikke.shield.models import Ban, SecurityEvent
from budstikke.tenants.models import Membership, Tenant

WINDOW = timedelta(days=30)
PAGE_SIZE = 50
BANS_SHOWN = 50
ATTEMPT_KINDS = (
    SecurityEvent.Kind.LOGIN_FAILED,
    SecurityEvent.Kind.MFA_FAILED,
    SecurityEvent.Kind.REAUTH_FAILED,
    SecurityEvent.Kind.LOGIN_SUCCEEDED,
)


class Members:
    """The tenant's members, and how an event names one: by its user, or (a failed login on
    an address, recorded with `account=events.account_key(login)`) by that keyed digest."""

    def __init__(self, tenant: Tenant) -> None:
        self.memberships = list(
            Membership.objects.for_tenant(tenant).select_related("user").order_by("user__email")
        )
        self.by_id: dict[int, User] = {m.user_id: m.user for m in self.memberships}
        self.by_account: dict[str, User] = {
            account_key(user.email): user for user in self.by_id.values()
        }

    def events(self, since: datetime) -> QuerySet[SecurityEvent]:
        return SecurityEvent.objects.filter(
            Q(user_id__in=list(self.by_id))
            | Q(user=None, detail__account__in=list(self.by_account)),
            kind__in=ATTEMPT_KINDS,
            at__gte=since,
        )

    def of(self, user_id: int | None, detail: Any) -> User | None:
        if user_id is not None:
            return self.by_id.get(user_id)
        account = detail.get("account") if isinstance(detail, dict) else None
        return self.by_account.get(account) if isinstance(account, str) else None


@dataclass(frozen=True)
class Attempt:
    at: datetime
    kind: str
    kind_label: str
    member: User | None
    ip: str
    country: str
    banned: bool

    @property
    def failed(self) -> bool:
        return self.kind != SecurityEvent.Kind.LOGIN_SUCCEEDED


def attempts(members: Members, since: datetime) -> QuerySet[SecurityEvent]:
    """Sign-in attempts on the members since `since`, newest first (paginate it)."""
    return members.events(since).order_by("-at", "-id")


def describe(members: Members, events: Iterable[SecurityEvent], since: datetime) -> list[Attempt]:
    """Rows for one page of attempts; `banned` when a ban on the attempt's source followed."""
    page = list(events)
    sources = {event.source for event in page if event.source}
    bans = list(
        Ban.objects.filter(network__in=sources, created_at__gte=since).values_list(
            "network", "created_at"
        )
    )
    return [
        Attempt(
            at=event.at,
            kind=event.kind,
            kind_label=event.get_kind_display(),
            member=members.of(event.user_id, event.detail),
            ip=event.ip or "",
            country=event.country,
            banned=any(
                network == event.source and banned_at >= event.at for network, banned_at in bans
            ),
        )
        for event in page
    ]


@dataclass(frozen=True)
class MemberBan:
    ban: Ban
    members: list[User]


def bans(members: Members, since: datetime) -> list[MemberBan]:
    """Bans since `since` of addresses from which someone tried a member's account (or a
    member signed in: their own address banned), with the members concerned."""
    sources = members.events(since).exclude(source="").values("source")
    found = list(
        Ban.objects.filter(network__in=sources, created_at__gte=since).order_by("-created_at")[
            :BANS_SHOWN
        ]
    )
    concerned: dict[str, dict[int, User]] = {}
    rows = (
        members.events(since)
        .filter(source__in={ban.network for ban in found})
        .values_list("source", "user_id", "detail")
    )
    for source, user_id, detail in rows:
        member = members.of(user_id, detail)
        if member is not None:
            concerned.setdefault(source, {})[member.pk] = member
    return [
        MemberBan(ban, sorted(concerned.get(ban.network, {}).values(), key=lambda u: u.email))
        for ban in found
    ]


@dataclass(frozen=True)
class SignedInSession:
    member: User
    membership: Membership
    session_key: str
    device: str
    ip: str
    country: str
    signed_in: datetime
    last_seen: datetime


def _moment(value: Any, fallback: datetime) -> datetime:
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return fallback


def signed_in_sessions(members: Members) -> list[SignedInSession]:
    """The members' sessions that would still be let in at their next request."""
    memberships = {m.user_id: m for m in members.memberships}
    recorded = list(
        UserSession.objects.filter(user_id__in=list(memberships)).order_by("-created_at")
    )
    stored = {
        session.session_key: session
        for session in Session.objects.filter(
            session_key__in=[r.session_key for r in recorded], expire_date__gt=clock.now()
        )
    }
    found = []
    for record in recorded:
        session = stored.get(record.session_key)
        if session is None:
            continue
        data = session.get_decoded()
        membership = memberships[record.user_id]
        if str(data.get(AUTH_USER_SESSION_KEY)) != str(record.user_id):
            continue  # signed out, or someone else signed in on that browser since
        if session_rules.end_reason_of(data, membership.user) is not None:
            continue
        found.append(
            SignedInSession(
                member=membership.user,
                membership=membership,
                session_key=record.session_key,
                device=device_of(record.user_agent),
                ip=record.ip,
                country=geoip.country_of(record.ip) or "",
                signed_in=_moment(data.get(session_rules.AUTH_AT), record.created_at),
                last_seen=_moment(data.get(session_rules.SEEN_AT), record.last_seen_at),
            )
        )
    found.sort(key=lambda s: (s.member.email, -s.last_seen.timestamp()))
    return found


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_of(user_agent: str) -> str:
    """ "Firefox on Linux" from a user agent; the raw text (shortened) when it is unusual."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), "")
    system = next((name for token, name in _SYSTEMS if token in user_agent), "")
    if browser and system:
        return f"{browser} · {system}"
    return browser or system or user_agent[:60]
