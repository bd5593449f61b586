"""What data protection keeps about itself: purge reports, data-subject requests, the
sub-processor list and its notices, incidents, and deletion certificates of purged tenants.

None of these rows holds a tenant's personal data in clear: the one field that names a data
subject (`DataSubjectRequest.subject`) is encrypted under the tenant's key, so offboarding
shreds it with everything else.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from budstikke.core import clock
from budstikke.core.tenancy import TenantOwned
from budstikke.vault.fields import EncryptedCharField
from budstikke.vault.models import EncryptedModel


class PurgeRun(models.Model):
    """One run of the retention purge (nightly, by hand, or after a restore)."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Nightly schedule")
        MANUAL = "manual", _("By hand")
        RESTORE = "restore", _("After a restore")

    started_at = models.DateTimeField(_("started"), default=clock.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    trigger = models.CharField(
        _("trigger"), max_length=16, choices=Trigger.choices, default=Trigger.SCHEDULE
    )
    error = models.TextField(_("error"), blank=True, default="")

    class Meta:
        verbose_name = _("purge run")
        verbose_name_plural = _("purge runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"purge {self.started_at:%Y-%m-%d %H:%M}"


class PurgeCount(models.Model):
    """How many rows one retention rule removed or changed, per tenant (null: platform
    data such as security events), so each tenant admin can see the part about them."""

    run = models.ForeignKey(PurgeRun, on_delete=models.CASCADE, related_name="counts")
    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.CharField(_("rule"), max_length=100)
    action = models.CharField(_("action"), max_length=16)
    count = models.PositiveIntegerField(_("rows"))

    class Meta:
        verbose_name = _("purge count")
        verbose_name_plural = _("purge counts")

    def __str__(self) -> str:
        return f"{self.rule}: {self.count}"


class DataSubjectRequest(EncryptedModel):
    """A controller's request about one person (GDPR Art. 15/20 export, Art. 17 erasure):
    the request log. What was searched for is personal data, so it is encrypted."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Access / portability export")
        ERASE = "erase", _("Erasure")

    class SearchBy(models.TextChoices):
        EMAIL = "email", _("Email address")
        PHONE = "phone", _("Phone number")
        NAME = "name", _("Name")

    class Status(models.TextChoices):
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    search_by = models.CharField(_("searched by"), max_length=8, choices=SearchBy.choices)
    subject = EncryptedCharField(_("searched for"), max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), default=clock.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DONE
    )
    # Counts per kind of record ({"shipments.Shipment": 3}); never the records themselves.
    counts = models.JSONField(_("records"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True, default="")

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} request {self.pk}"


class SubProcessor(models.Model):
    """A company the platform uses to process tenants' personal data (GDPR Art. 28(2))."""

    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=300)
    location = models.CharField(_("location of processing"), max_length=200)
    transfer_basis = models.CharField(
        _("transfer basis"),
        max_length=300,
        help_text=_("E.g. “EU/EEA, no transfer” or “Standard contractual clauses”."),
    )
    data_categories = models.CharField(
        _("categories of data"), max_length=300, blank=True, default=""
    )
    added_at = models.DateTimeField(_("added"), default=clock.now)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("sub-processor")
        verbose_name_plural = _("sub-processors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def default_objection_deadline() -> datetime:
    return clock.now() + timedelta(days=settings.PRIVACY_OBJECTION_DAYS)


class SubProcessorNotice(models.Model):
    """A change to the sub-processor list announced to every tenant admin, who may object
    before the deadline."""

    summary = models.TextField(_("what changes"))
    published_at = models.DateTimeField(_("published"), default=clock.now)
    objection_deadline = models.DateTimeField(
        _("objections until"), default=default_objection_deadline
    )

    class Meta:
        verbose_name = _("sub-processor notice")
        verbose_name_plural = _("sub-processor notices")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return f"notice {self.published_at:%Y-%m-%d}"


class SubProcessorObjection(TenantOwned):
    """A tenant admin's objection to a notified change."""

    notice = models.ForeignKey(
        SubProcessorNotice, on_delete=models.CASCADE, related_name="objections"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("objected"), default=clock.now)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "notice"], name="one_objection_per_notice")
        ]

    def __str__(self) -> str:
        return f"objection {self.pk}"


class Incident(models.Model):
    """The operator's register of security incidents and personal-data breaches. A breach
    must reach the supervisory authority within 72 hours of awareness (GDPR Art. 33) and
    the affected controllers without undue delay."""

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CONTAINED = "contained", _("Contained")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"))
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    personal_data_breach = models.BooleanField(_("personal-data breach"), default=False)
    data_categories = models.TextField(_("categories of data concerned"), blank=True, default="")
    measures = models.TextField(_("measures taken"), blank=True, default="")
    affected_tenants = models.ManyToManyField(
        "tenants.Tenant", blank=True, related_name="+", verbose_name=_("affected tenants")
    )
    occurred_at = models.DateTimeField(_("occurred"), null=True, blank=True)
    aware_at = models.DateTimeField(_("became aware"), default=clock.now)
    contained_at = models.DateTimeField(_("contained"), null=True, blank=True)
    authority_notified_at = models.DateTimeField(
        _("supervisory authority notified"), null=True, blank=True
    )
    tenants_notified_at = models.DateTimeField(_("tenants notified"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("registered"), default=clock.now)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-aware_at"]

    def __str__(self) -> str:
        return self.title


class DeletionCertificate(models.Model):
    """Proof that a tenant's data was deleted: what, when, how many rows, which keys."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.PROTECT, related_name="deletion_certificates"
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    tenant_name = models.CharField(_("company"), max_length=200)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    purged_at = models.DateTimeField(_("deleted"), default=clock.now)
    # {"shipments.Shipment": 1200, ...} and {"label files": 3, ...}: counts, never content.
    rows = models.JSONField(_("rows deleted"), default=dict)
    files = models.JSONField(_("files deleted"), default=dict)
    key_versions_shredded = models.PositiveIntegerField(_("key versions destroyed"), default=0)
    method = models.TextField(_("method"), blank=True, default="")
    digest = models.CharField(_("SHA-256 of the certificate"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("deletion certificate")
        verbose_name_plural = _("deletion certificates")
        ordering = ["-purged_at"]

    def __str__(self) -> str:
        return self.number
