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
    # The ban key: the address for IPv4, its /64 for IPv6 (detectors group by it).
    source = models.CharField(_("source network"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        indexes = [
            models.Index(fields=["kind", "at"]),
            models.Index(fields=["ip", "at"]),
            models.Index(fields=["source", "at"]),
            models.Index(fields=["country", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ip or '-'} {self.at.isoformat()}"

    @property
    def malicious(self) -> bool:
        return self.kind != self.Kind.LOGIN_SUCCEEDED


class Ban(models.Model):
    """A decision to refuse every request from a network until `expires_at` (or an unban)."""

    class Origin(models.TextChoices):
        DETECTOR = "detector", _("Detector")
        MANUAL = "manual", _("Operator")
        SCAN = "scan", _("Log scan")

    network = models.CharField(_("network"), max_length=50, db_index=True)
    scenario = models.CharField(_("scenario"), max_length=60)
    reason = models.CharField(_("reason"), max_length=300)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    escalation = models.PositiveSmallIntegerField(_("earlier bans"), default=0)
    created_at = models.DateTimeField(_("banned at"), default=clock.now, db_index=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    blocked_requests = models.PositiveBigIntegerField(_("refused requests"), default=0)

    class Meta:
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        indexes = [models.Index(fields=["network", "created_at"])]

    def __str__(self) -> str:
        return f"ban {self.network} until {self.expires_at.isoformat()}"


class AllowEntry(models.Model):
    """A network that is never banned and never country-restricted (operators, tenant offices)."""

    network = models.CharField(_("network"), max_length=50)
    note = models.CharField(_("note"), max_length=200, blank=True)
    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("added at"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("allowed network")
        verbose_name_plural = _("allowed networks")

    def __str__(self) -> str:
        return self.network


class CountryPolicy(models.Model):
    """The current state of one country: restricted or not, and whether the operator pinned it."""

    country = models.CharField(_("country"), max_length=2, unique=True)
    restricted = models.BooleanField(_("restricted"), default=False)
    pinned = models.BooleanField(_("pinned by the operator"), default=False)
    full_block = models.BooleanField(_("block the tracking page too"), default=False)
    since = models.DateTimeField(_("since"), default=clock.now)
    quiet_since = models.DateTimeField(_("quiet since"), null=True, blank=True)

    class Meta:
        verbose_name = _("country policy")
        verbose_name_plural = _("country policies")

    def __str__(self) -> str:
        return f"{self.country} {'restricted' if self.restricted else 'open'}"


class PolicyRevision(models.Model):
    """One change of a country's state, with the numbers that led to it."""

    class Action(models.TextChoices):
        RESTRICT = "restrict", _("Restricted")
        LIFT = "lift", _("Lifted")
        PIN = "pin", _("Pinned")
        UNPIN = "unpin", _("Unpinned")

    at = models.DateTimeField(_("time"), default=clock.now, db_index=True)
    country = models.CharField(_("country"), max_length=2)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    attempts = models.PositiveIntegerField(_("attempts in the window"), default=0)
    total = models.PositiveIntegerField(_("all attempts in the window"), default=0)
    window_days = models.PositiveSmallIntegerField(_("window (days)"), default=0)
    reason = models.CharField(_("reason"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("country policy revision")
        verbose_name_plural = _("country policy revisions")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.country} {self.at.isoformat()}"

    @property
    def share_percent(self) -> float:
        return round(100 * self.attempts / self.total, 1) if self.total else 0.0
