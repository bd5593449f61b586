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
        return user

    def create_operator(self, email: str, password: str | None = None, **extra: Any) -> User:
        """Platform staff: may run the installation, never read tenant data."""
        return self.create_user(email, password, is_operator=True, **extra)


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
