"""Test settings: the real settings plus `tests.specimens`, models that exist only for tests
of cross-cutting machinery (encrypted fields, tenancy) before a product model needs it."""

from budstikke.settings import *  # noqa: F403
from budstikke.settings import INSTALLED_APPS, LOGGING

INSTALLED_APPS = [*INSTALLED_APPS, "tests.specimens"]

# Each test process keeps its own cache, so rate limits and used TOTP codes of one xdist
# worker never leak into another's tests (conftest clears it before every test).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Argon2id is deliberately slow; tests that are not about hashing use a fast hasher
# (budstikke/accounts/tests/test_password_hashing.py checks the real one).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests never write into the data directory: no security log file (tests that need one set
# SHIELD_SECURITY_LOG to a path of their own; the lines still reach caplog).
SHIELD_SECURITY_LOG = None
LOGGING["handlers"].pop("security_file", None)
LOGGING["loggers"].pop("budstikke.security", None)
