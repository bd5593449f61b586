"""The operator's incident register and the 72-hour clock of GDPR Art. 33.

A personal-data breach must be notified to the supervisory authority within 72 hours of
becoming aware of it (Art. 33(1)); as processor the platform must tell the affected
controllers, its tenants, without undue delay (Art. 33(2)). The register keeps both times,
and the clock runs from `aware_at` until the authority notification is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from budstikke.core import clock
from budstikke.privacy.models import Incident
from budstikke.privacy.tenant_mail import mail_admins_of, page_link
from budstikke.tenants.models import Tenant

if TYPE_CHECKING:
    from budstikke.accounts.models import User

NOTIFY_WITHIN = timedelta(hours=72)
NONE = "\u2013"  # en dash: nothing to tell
URGENT_WITHIN = timedelta(hours=24)


class IncidentError(Exception):
    """A step the register refuses; the message is for the operator."""


@dataclass(frozen=True)
class IncidentData:
    title: str
    description: str
    severity: str
    personal_data_breach: bool
    data_categories: str
    measures: str
    occurred_at: datetime | None
    aware_at: datetime


@dataclass(frozen=True)
class BreachClock:
    """Where an incident stands against the 72 hours.

    state: "none" (not a personal-data breach), "notified", "late" (notified after the
    deadline), "running", "urgent" (under 24 hours left) or "overdue".
    """

    state: str
    deadline: datetime
    remaining: timedelta

    @property
    def alarming(self) -> bool:
        return self.state in {"urgent", "overdue"}

    @property
    def span(self) -> str:
        """The time left, or how late: "5 h 03 min"."""
        return hours_and_minutes(self.remaining)


def deadline(incident: Incident) -> datetime:
    return incident.aware_at + NOTIFY_WITHIN


def breach_clock(incident: Incident, at: datetime | None = None) -> BreachClock:
    now = at or clock.now()
    due = deadline(incident)
    if not incident.personal_data_breach:
        return BreachClock("none", due, due - now)
    if incident.authority_notified_at is not None:
        late = incident.authority_notified_at > due
        return BreachClock(
            "late" if late else "notified", due, due - incident.authority_notified_at
        )
    remaining = due - now
    if remaining <= timedelta(0):
        state = "overdue"
    elif remaining < URGENT_WITHIN:
        state = "urgent"
    else:
        state = "running"
    return BreachClock(state, due, remaining)


def hours_and_minutes(span: timedelta) -> str:
    minutes = int(abs(span).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}


# Selectors ---------------------------------------------------------------------------------


def register() -> QuerySet[Incident]:
    return Incident.objects.prefetch_related("affected_tenants").order_by("-aware_at", "-pk")


def affecting(tenant: Tenant) -> QuerySet[Incident]:
    """The incidents that concern this tenant, and no others."""
    return Incident.objects.filter(affected_tenants=tenant).order_by("-aware_at", "-pk")


# Writes ------------------------------------------------------------------------------------


def _apply(incident: Incident, data: IncidentData) -> None:
    incident.title = data.title.strip()
    incident.description = data.description.strip()
    incident.severity = data.severity
    incident.personal_data_breach = data.personal_data_breach
    incident.data_categories = data.data_categories.strip()
    incident.measures = data.measures.strip()
    incident.occurred_at = data.occurred_at
    incident.aware_at = data.aware_at


@transaction.atomic
def open_incident(
    *, data: IncidentData, affected: Iterable[Tenant], created_by: User | None
) -> Incident:
    incident = Incident(created_by=created_by, created_at=clock.now())
    _apply(incident, data)
    incident.save()
    incident.affected_tenants.set(list(affected))
    return incident


@transaction.atomic
def update(incident: Incident, *, data: IncidentData, affected: Iterable[Tenant]) -> Incident:
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.status == Incident.Status.CLOSED:
        raise IncidentError(_("A closed incident cannot be changed."))
    _apply(locked, data)
    locked.save()
    locked.affected_tenants.set(list(affected))
    return locked


@transaction.atomic
def record_authority_notification(incident: Incident, *, at: datetime) -> Incident:
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if not locked.personal_data_breach:
        raise IncidentError(
            _("Only a personal-data breach is notified to the supervisory authority.")
        )
    if locked.authority_notified_at is not None:
        raise IncidentError(_("The notification of the authority is already recorded."))
    if at > clock.now():
        raise IncidentError(_("The notification cannot be in the future."))
    locked.authority_notified_at = at
    locked.save(update_fields=["authority_notified_at"])
    return locked


@transaction.atomic
def notify_tenants(incident: Incident) -> int:
    """Email every admin of each affected tenant; returns the number of emails queued."""
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.tenants_notified_at is not None:
        raise IncidentError(_("The affected companies have already been notified."))
    affected = list(locked.affected_tenants.order_by("pk"))
    if not affected:
        raise IncidentError(_("No company is marked as affected."))
    link = page_link("privacy:incidents")

    def compose(tenant: Tenant) -> tuple[str, str]:
        subject = _("Security incident at Budstikke: %(title)s") % {"title": locked.title}
        body = _(
            "Budstikke, the processor of %(tenant)s's data, informs you of a security "
            "incident that concerns your company.\n\n"
            "%(title)s\n%(description)s\n\n"
            "Personal-data breach: %(breach)s\n"
            "Categories of data concerned: %(categories)s\n"
            "Occurred: %(occurred)s (UTC)\n"
            "We became aware: %(aware)s (UTC)\n"
            "Measures taken: %(measures)s\n\n"
            "As the controller, your company decides whether to notify the supervisory "
            "authority and the people concerned. The details and updates are here:\n%(link)s"
        ) % {
            "tenant": tenant.name,
            "title": locked.title,
            "description": locked.description,
            "breach": _("yes") if locked.personal_data_breach else _("no"),
            "categories": locked.data_categories or NONE,
            "occurred": locked.occurred_at.strftime("%Y-%m-%d %H:%M")
            if locked.occurred_at
            else _("unknown"),
            "aware": locked.aware_at.strftime("%Y-%m-%d %H:%M"),
            "measures": locked.measures or NONE,
            "link": link,
        }
        return subject, body

    sent = mail_admins_of(affected, compose)
    locked.tenants_notified_at = clock.now()
    locked.save(update_fields=["tenants_notified_at"])
    return sent


@transaction.atomic
def contain(incident: Incident) -> Incident:
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.status != Incident.Status.OPEN:
        raise IncidentError(_("Only an open incident can be marked as contained."))
    locked.status = Incident.Status.CONTAINED
    locked.contained_at = clock.now()
    locked.save(update_fields=["status", "contained_at"])
    return locked


@transaction.atomic
def close(incident: Incident) -> Incident:
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.status == Incident.Status.CLOSED:
        raise IncidentError(_("The incident is already closed."))
    now = clock.now()
    locked.status = Incident.Status.CLOSED
    locked.contained_at = locked.contained_at or now
    locked.closed_at = now
    locked.save(update_fields=["status", "contained_at", "closed_at"])
    return locked
