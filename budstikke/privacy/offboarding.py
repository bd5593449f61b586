"""Tenant offboarding (to be written by the offboarding task)."""

from __future__ import annotations

from budstikke.privacy.models import DeletionCertificate


def purge_due_tenants() -> list[DeletionCertificate]:
    raise NotImplementedError
