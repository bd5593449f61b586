from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from budstikke.core import clock
from budstikke.core.tenancy import TenantManager


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
    # Lifecycle (privacy/offboarding.py): cancelled -> grace period -> purged. The row itself
    # stays as a tombstone holding no personal data, so the deletion certificate and the
    # platform's billing records (kept 5 years) still name the company.
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.CharField(
        _("cancelled by"),
        max_length=16,
        blank=True,
        default="",
        choices=[("admin", _("Tenant administrator")), ("operator", _("Platform operator"))],
    )
    purge_after = models.DateTimeField(_("data deleted after"), null=True, blank=True)
    purged_at = models.DateTimeField(_("purged"), null=True, blank=True)

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

    # Scoped like every tenant-owned row, so `get_for_tenant_or_404` accepts memberships.
    objects = TenantManager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="one_membership_per_tenant")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.tenant_id}:{self.role}"


class DataProcessingAgreement(models.Model):
    """A published version of the data-processing agreement: the tenant is the controller,
    the platform its processor. Signup records which version a tenant accepted."""

    version = models.CharField(_("version"), max_length=32, unique=True)
    effective_from = models.DateTimeField(_("effective from"), default=clock.now)
    text = models.TextField(_("text"), blank=True, default="")
    changes = models.TextField(_("changes from the previous version"), blank=True, default="")

    class Meta:
        verbose_name = _("data-processing agreement")
        verbose_name_plural = _("data-processing agreements")

    def __str__(self) -> str:
        return self.version


class DpaAcceptance(models.Model):
    """Evidence that a tenant's admin accepted a DPA version: who, when, from which address."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="dpa_acceptances")
    agreement = models.ForeignKey(
        DataProcessingAgreement, on_delete=models.PROTECT, related_name="acceptances"
    )
    user = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), default=clock.now)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("DPA acceptance")
        verbose_name_plural = _("DPA acceptances")

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.agreement_id}"


class LicenceInvoice(models.Model):
    """The platform's own bill to a tenant for its licence: accounting data of the platform,
    kept 5 years from the end of the financial year (Danish Bookkeeping Act), also after
    the tenant has left. Holds no personal data."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="licence_invoices")
    number = models.CharField(_("number"), max_length=32, unique=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="DKK")
    issued_at = models.DateTimeField(_("issued"), default=clock.now)

    class Meta:
        verbose_name = _("licence invoice")
        verbose_name_plural = _("licence invoices")

    def __str__(self) -> str:
        return self.number


# Imported here, not at the top: the vault's models import Tenant from this module, which
# exists by now. Django always loads this app's models before the vault's.
from budstikke.vault.fields import BlindIndexField, EncryptedCharField  # noqa: E402
from budstikke.vault.models import EncryptedModel  # noqa: E402


class Invitation(EncryptedModel):
    """An admin's offer of a role to an email address. The token is single-use, expires,
    and only its SHA-256 is stored, so a database copy cannot be used to join a tenant.
    The address is personal data: encrypted under the tenant's key, searchable by index."""

    email = EncryptedCharField(_("email address"), max_length=254)
    email_index = BlindIndexField(source="email", normalizer="email")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=clock.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.role})"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None and self.revoked_at is None and self.expires_at > clock.now()
        )
