from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from budstikke.core import clock


class Tenant(models.Model):
    """A courier company: the data controller of everything it keeps here."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")
        PURGED = "purged", _("Purged")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=63, unique=True)
    country = models.CharField(_("country"), max_length=2, default="DK")
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Copenhagen")
    language = models.CharField(
        _("language"),
        max_length=8,
        default="da",
        choices=[("da", _("Danish")), ("en", _("English"))],
    )
    plan = models.CharField(_("plan"), max_length=32, default="standard")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("created"), default=clock.now)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name
