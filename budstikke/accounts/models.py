from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _

from budstikke.core import clock


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("an email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        _record_verified_address(user)
        return user

    def create_operator(self, email: str, password: str | None = None, **extra: Any) -> User:
        """Platform staff: may run the installation, never read tenant data."""
        return self.create_user(email, password, is_operator=True, **extra)


def _record_verified_address(user: User) -> None:
    """Users made by code (invitations, the demo, operators) got their address from a
    trusted party, so allauth treats it as verified; self-signup verifies by code instead."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": True}
    )


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address. Tenant access comes only from Membership."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=[("da", _("Danish")), ("en", _("English"))],
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_operator = models.BooleanField(
        _("platform operator"),
        default=False,
        help_text=_("Runs the installation; never sees tenant data."),
    )
    date_joined = models.DateTimeField(_("joined"), default=clock.now)
    # Raised by accounts.actions.end_all_sessions: a session stamped with an older epoch ends.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    @property
    def is_staff(self) -> bool:
        """Django's admin site is not used: no one is staff."""
        return False


class OutgoingEmail(models.Model):
    """One email in the outbox (ARCHITECTURE invariant 3), written in the transaction that
    caused it and delivered by the worker. The message (recipients, subject, body — reset
    links are secrets) is sealed with the platform key; only delivery bookkeeping is clear."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")

    idempotency_key = models.UUIDField(unique=True, editable=False)
    sealed_message = models.TextField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now)
    next_attempt_at = models.DateTimeField(default=clock.now, db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")

    def __str__(self) -> str:
        return f"email {self.idempotency_key} {self.status}"
