"""Crypto-shredding: destroy a tenant's data keys so every copy of its data, old database
backups included, becomes unreadable. Used by tenant offboarding.

Keep the Tenant row (status `purged`): the keyring remembers the shredded scope by tenant
id, and a new tenant must never be handed a destroyed tenant's id.
"""

from __future__ import annotations

import logging

from budstikke.tenants.models import Tenant
from budstikke.vault import keys

logger = logging.getLogger(__name__)


def shred(tenant: Tenant) -> int:
    """Destroy every version of the tenant's DEK in the keyring and this process's cache.
    Returns the number of key versions destroyed. Irreversible once the keyring backups
    older than the shred have aged out (VAULT_KEYRING_BACKUP_DAYS)."""
    destroyed = keys.shred(keys.tenant_scope(tenant.pk))
    logger.warning("vault: shredded %d key version(s) of tenant %s", destroyed, tenant.pk)
    return destroyed


def is_shredded(tenant: Tenant) -> bool:
    return keys.keyring().is_shredded(keys.tenant_scope(tenant.pk))
