"""`manage.py vault status | rotate-kek | rotate-dek --tenant SLUG | backup-keyring`.

Prints versions, states, KEK names (fingerprints or ARNs) and progress; never key material.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from budstikke.tenants.models import Tenant
from budstikke.vault import keys, rotation, tasks
from budstikke.vault.errors import VaultError


class Command(BaseCommand):
    help = "Key hierarchy: status, KEK and DEK rotation, keyring backup."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="key versions, rotation progress, keyring backups")
        sub.add_parser("rotate-kek", help="re-wrap every data key under a new KEK")
        dek = sub.add_parser("rotate-dek", help="new data key version for a tenant")
        target = dek.add_mutually_exclusive_group(required=True)
        target.add_argument("--tenant", metavar="SLUG")
        target.add_argument(
            "--platform", action="store_true", help="new platform key (old tokens stay readable)"
        )
        dek.add_argument(
            "--wait", action="store_true", help="re-encrypt now in this process, not in the worker"
        )
        sub.add_parser("backup-keyring", help="copy the keyring and prune old copies")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(**options)
        except VaultError as exc:
            raise CommandError(f"{type(exc).__name__}: {exc}") from None

    def _status(self, **options: Any) -> None:
        ring = keys.keyring()
        self.stdout.write(f"provider: {keys.provider().describe()}")
        self.stdout.write(f"keyring: {ring.path}")
        slugs = dict(Tenant.objects.values_list("pk", "slug"))
        for record in ring.records():
            name = record.scope
            if name.startswith("tenant:"):
                name += f" ({slugs.get(int(name.split(':')[1]), '?')})"
            self.stdout.write(
                f"  {name} v{record.version} {record.state} kek={record.kek_id or '-'} "
                f"created={record.created_at[:19]}"
            )
        for progress in ring.rotations():
            state = "done" if progress.finished_at else "in progress"
            self.stdout.write(
                f"rotation {progress.scope} -> v{progress.to_version}: {state}, "
                f"{progress.rows_reencrypted} rows re-encrypted, "
                f"{progress.rows_remaining if progress.rows_remaining is not None else '?'} "
                f"remaining, {progress.errors} errors"
            )
        backups = ring.backups()
        newest = backups[-1].name if backups else "none"
        self.stdout.write(
            f"keyring backups: {len(backups)} (newest {newest}), "
            f"kept {settings.VAULT_KEYRING_BACKUP_DAYS} days"
        )

    def _rotate_kek(self, **options: Any) -> None:
        kek_id, count = keys.rotate_kek()
        self.stdout.write(f"re-wrapped {count} data key(s) under KEK {kek_id}")
        path = keys.keyring().backup(timedelta(days=settings.VAULT_KEYRING_BACKUP_DAYS))
        self.stdout.write(f"keyring backed up to {path.name}")

    def _rotate_dek(
        self, *, tenant: str | None, platform: bool, wait: bool, **options: Any
    ) -> None:
        if platform:
            version = keys.add_version(keys.PLATFORM)
            self.stdout.write(
                f"platform key version {version} is current; older tokens stay readable"
            )
            return
        found = Tenant.objects.filter(slug=tenant).first()
        if found is None:
            raise CommandError(f"no tenant with slug {tenant!r}")
        version = rotation.start(found.pk)
        self.stdout.write(f"tenant {found.slug}: key version {version} is current")
        if wait:
            progress = rotation.reencrypt(found.pk)
            self.stdout.write(
                f"re-encrypted {progress.reencrypted} row(s); {progress.remaining} remaining, "
                f"{progress.errors} error(s); old versions are retired by the worker after "
                f"{int(rotation.grace().total_seconds())} s"
            )
        tasks.reencrypt_tenant(found.pk)
        self.stdout.write("re-encryption queued for the worker")

    def _backup_keyring(self, **options: Any) -> None:
        ring = keys.keyring()
        path = ring.backup(timedelta(days=settings.VAULT_KEYRING_BACKUP_DAYS))
        self.stdout.write(f"keyring backed up to {path}; {len(ring.backups())} copies kept")
