"""The sub-processor list (GDPR Art. 28(2) and (4)): the operator keeps it; each change that
adds or removes a sub-processor, or moves where it processes or on which transfer basis, is
announced to every tenant admin with a period to object.

Writes are plain functions in transactions; the notice and its emails are written in the
same transaction as the change, so a change is never made without being announced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from budstikke.core import clock
from budstikke.privacy.models import SubProcessor, SubProcessorNotice, SubProcessorObjection
from budstikke.privacy.tenant_mail import mail_admins_of, page_link
from budstikke.tenants.models import Tenant

if TYPE_CHECKING:
    from budstikke.accounts.models import User

# A change of these fields is a change tenants must hear about and may object to.
NOTIFIED_FIELDS = ("location", "transfer_basis")
EDITABLE_FIELDS = ("name", "purpose", "location", "transfer_basis", "data_categories")


class ObjectionError(Exception):
    """An objection the rules refuse; the message is for the tenant admin."""


@dataclass(frozen=True)
class SubProcessorData:
    name: str
    purpose: str
    location: str
    transfer_basis: str
    data_categories: str = ""


# Selectors ---------------------------------------------------------------------------------


def current() -> QuerySet[SubProcessor]:
    return SubProcessor.objects.filter(removed_at=None).order_by("name")


def notices() -> QuerySet[SubProcessorNotice]:
    """Every notice, newest first, with its objections and their tenants (operator view)."""
    objections = SubProcessorObjection.objects.dangerously_unscoped().select_related("tenant")
    return SubProcessorNotice.objects.prefetch_related(
        Prefetch("objections", queryset=objections.order_by("created_at"))
    ).order_by("-published_at", "-pk")


def objections_of(tenant: Tenant) -> dict[int, SubProcessorObjection]:
    """The tenant's own objections, by notice id."""
    return {
        objection.notice_id: objection
        for objection in SubProcessorObjection.objects.for_tenant(tenant).select_related("user")
    }


def is_open(notice: SubProcessorNotice, at: datetime | None = None) -> bool:
    return (at or clock.now()) < notice.objection_deadline


# Writes ------------------------------------------------------------------------------------


def _describe(data: SubProcessor | SubProcessorData) -> str:
    return _("%(name)s — %(purpose)s; processing in %(location)s; transfer basis: %(basis)s") % {
        "name": data.name,
        "purpose": data.purpose,
        "location": data.location,
        "basis": data.transfer_basis,
    }


def publish_notice(summary: str) -> SubProcessorNotice:
    """Announce a change to every active tenant's admins; they may object until the deadline."""
    now = clock.now()
    notice = SubProcessorNotice.objects.create(
        summary=summary,
        published_at=now,
        objection_deadline=now + timedelta(days=settings.PRIVACY_OBJECTION_DAYS),
    )
    link = page_link("privacy:subprocessors")

    def compose(tenant: Tenant) -> tuple[str, str]:
        subject = _("Change of sub-processors at Budstikke")
        body = _(
            "Budstikke, the processor of %(tenant)s's data, changes its sub-processors:\n\n"
            "%(summary)s\n\n"
            "As the controller, your company may object until %(deadline)s (UTC). "
            "See the current list and object here:\n%(link)s"
        ) % {
            "tenant": tenant.name,
            "summary": summary,
            "deadline": notice.objection_deadline.strftime("%Y-%m-%d %H:%M"),
            "link": link,
        }
        return subject, body

    mail_admins_of(Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("pk"), compose)
    return notice


def _summary(key: str, **values: str) -> str:
    """Notices are stored once, in the installation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        texts = {
            "added": _("New sub-processor: %(what)s."),
            "removed": _("Sub-processor no longer used: %(what)s."),
            "changed": _("%(name)s changes: %(changes)s."),
        }
        return texts[key] % values


@transaction.atomic
def add(data: SubProcessorData) -> tuple[SubProcessor, SubProcessorNotice]:
    sub = SubProcessor.objects.create(
        name=data.name.strip(),
        purpose=data.purpose.strip(),
        location=data.location.strip(),
        transfer_basis=data.transfer_basis.strip(),
        data_categories=data.data_categories.strip(),
        added_at=clock.now(),
    )
    with translation.override(settings.LANGUAGE_CODE):
        what = _describe(sub)
    return sub, publish_notice(_summary("added", what=what))


@transaction.atomic
def update(sub: SubProcessor, data: SubProcessorData) -> SubProcessorNotice | None:
    """Save the new values; a new location or transfer basis is announced, other edits
    (wording of the purpose, categories, spelling of the name) are not."""
    locked = SubProcessor.objects.select_for_update().get(pk=sub.pk, removed_at=None)
    with translation.override(settings.LANGUAGE_CODE):
        labels = {
            "location": _("location of processing"),
            "transfer_basis": _("transfer basis"),
        }
        changes = [
            _("%(field)s from “%(old)s” to “%(new)s”")
            % {"field": labels[field], "old": getattr(locked, field), "new": getattr(data, field)}
            for field in NOTIFIED_FIELDS
            if getattr(locked, field) != getattr(data, field).strip()
        ]
    old_name = locked.name
    for field in EDITABLE_FIELDS:
        setattr(locked, field, getattr(data, field).strip())
    locked.save(update_fields=list(EDITABLE_FIELDS))
    for field in EDITABLE_FIELDS:
        setattr(sub, field, getattr(locked, field))
    if not changes:
        return None
    return publish_notice(_summary("changed", name=old_name, changes="; ".join(changes)))


@transaction.atomic
def remove(sub: SubProcessor) -> SubProcessorNotice:
    locked = SubProcessor.objects.select_for_update().get(pk=sub.pk, removed_at=None)
    locked.removed_at = clock.now()
    locked.save(update_fields=["removed_at"])
    sub.removed_at = locked.removed_at
    with translation.override(settings.LANGUAGE_CODE):
        what = _describe(locked)
    return publish_notice(_summary("removed", what=what))


def object_to(
    *, notice: SubProcessorNotice, tenant: Tenant, user: User, reason: str
) -> SubProcessorObjection:
    """A tenant admin's objection: one per company per notice, only before the deadline."""
    if not is_open(notice):
        raise ObjectionError(
            _("The objection period for this change ended on %(deadline)s (UTC).")
            % {"deadline": notice.objection_deadline.strftime("%Y-%m-%d %H:%M")}
        )
    try:
        with transaction.atomic():
            objection: SubProcessorObjection = SubProcessorObjection.objects.create(
                tenant=tenant,
                notice=notice,
                user=user,
                reason=reason.strip(),
                created_at=clock.now(),
            )
    except IntegrityError:
        raise ObjectionError(_("Your company has already objected to this change.")) from None
    return objection
