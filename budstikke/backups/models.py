"""The backup journal. The archives and manifests in the target are the truth; these rows
record what each run did, so /healthz and the operator page need not list a bucket."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from budstikke.core import clock


class BackupRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        GOOD = "good", _("Good")
        FAILED = "failed", _("Failed")
        ABANDONED = "abandoned", _("Abandoned")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        MANUAL = "manual", _("Manual")

    backup_id = models.CharField(_("backup"), max_length=40, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    engine = models.CharField(_("engine"), max_length=16)
    target = models.CharField(_("target"), max_length=200)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(_("started"), default=clock.now)
    sealed_at = models.DateTimeField(_("sealed"), null=True, blank=True)
    drill_started_at = models.DateTimeField(_("drill started"), null=True, blank=True)
    drill_finished_at = models.DateTimeField(_("drill finished"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    size = models.BigIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    tables = models.PositiveIntegerField(_("tables"), null=True, blank=True)
    rows = models.BigIntegerField(_("rows"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    pruned_at = models.DateTimeField(_("pruned"), null=True, blank=True)

    class Meta:
        verbose_name = _("backup run")
        verbose_name_plural = _("backup runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "-started_at"], name="backup_status_started")]

    def __str__(self) -> str:
        return f"{self.backup_id} ({self.status})"

    @property
    def drill_seconds(self) -> float | None:
        if self.drill_started_at is None or self.drill_finished_at is None:
            return None
        return (self.drill_finished_at - self.drill_started_at).total_seconds()


class BackupCheck(models.Model):
    """A restore drill or an operator's `verify`: when, and what it found."""

    class Kind(models.TextChoices):
        DRILL = "drill", _("Restore drill")
        VERIFY = "verify", _("Verification")

    backup_id = models.CharField(_("backup"), max_length=40)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    started_at = models.DateTimeField(_("started"), default=clock.now)
    finished_at = models.DateTimeField(_("finished"))
    ok = models.BooleanField(_("passed"))
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("backup check")
        verbose_name_plural = _("backup checks")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.backup_id}: {'ok' if self.ok else 'failed'}"
