from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from budstikke.core import clock


class SecurityEvent(models.Model):
    """One security-relevant happening (ARCHITECTURE invariant 4). Never holds a secret."""

    class Kind(models.TextChoices):
        LOGIN_FAILED = "login_failed", _("Failed login")
        MFA_FAILED = "mfa_failed", _("Failed second factor")
        REAUTH_FAILED = "reauth_failed", _("Failed re-authentication")
        INVITATION_MISUSE = "invitation_misuse", _("Invitation token misuse")
        CROSS_TENANT = "cross_tenant", _("Cross-tenant access attempt")
        API_KEY_FAILED = "api_key_failed", _("API key failure")
        EXPLOIT_PROBE = "exploit_probe", _("Exploit path probe")
        NOT_FOUND_FLOOD = "not_found_flood", _("Flood of missing pages")
        INJECTION = "injection", _("Injection attempt")
        TRACKING_LOOKUP_FAILED = "tracking_lookup_failed", _("Failed tracking lookup")
        RATE_FLOOD = "rate_flood", _("Request flood")
        LOGIN_SUCCEEDED = "login_succeeded", _("Successful login")

    at = models.DateTimeField(_("time"), default=clock.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True, db_index=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    path = models.CharField(_("path"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        indexes = [models.Index(fields=["kind", "at"]), models.Index(fields=["ip", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.ip or '-'} {self.at.isoformat()}"
