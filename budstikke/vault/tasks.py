"""Background work of the vault: re-encryption after a DEK rotation, keyring backups."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from budstikke.vault import keys, rotation
from budstikke.vault.errors import TenantKeyDestroyed


@db_task()
def reencrypt_tenant(tenant_id: int) -> None:
    """Re-encrypt in batches; comes back later until the old versions can be retired."""
    try:
        progress = rotation.reencrypt(tenant_id)
    except TenantKeyDestroyed:
        return  # shredded meanwhile: nothing left to re-encrypt
    if progress.wait is not None:
        reencrypt_tenant.schedule(args=(tenant_id,), delay=progress.wait.total_seconds())


@db_periodic_task(crontab(hour="3", minute="30"))
def backup_keyring() -> None:
    """A daily keyring copy; copies older than the retention are destroyed."""
    keys.keyring().backup(timedelta(days=settings.VAULT_KEYRING_BACKUP_DAYS))
