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


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    COURIER = "courier", _("Courier")


class Membership(models.Model):
    """A user's access to one tenant, granted and withdrawn by that tenant's admins alone."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("created"), default=clock.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="one_membership_per_tenant")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.tenant_id}:{self.role}"
