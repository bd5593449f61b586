"""Test settings: the real settings plus `tests.specimens`, models that exist only for tests
of cross-cutting machinery (encrypted fields, tenancy) before a product model needs it."""

from budstikke.settings import *  # noqa: F403
from budstikke.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.specimens"]
