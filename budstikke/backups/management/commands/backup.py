"""`manage.py backup create | list | verify ID | restore ID [--yes] |
restore-tenant ID --tenant SLUG [--dry-run] | prune`."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from budstikke.backups import actions, targets, tenant_restore
from budstikke.backups.engines import EngineError
from budstikke.backups.models import BackupRun
from budstikke.backups.selectors import backup_health
from budstikke.vault.errors import VaultError


class Command(BaseCommand):
    help = "Backups: create, list, verify, restore the installation or one tenant, prune."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("create", help="back up now, then run the restore drill")
        sub.add_parser("list", help="stored good backups, newest last")
        verify = sub.add_parser("verify", help="fetch a backup and run the restore drill again")
        verify.add_argument("backup_id", metavar="ID")
        restore = sub.add_parser("restore", help="the whole installation, into a new database")
        restore.add_argument("backup_id", metavar="ID")
        restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        tenant = sub.add_parser("restore-tenant", help="put one tenant's rows back")
        tenant.add_argument("backup_id", metavar="ID")
        tenant.add_argument("--tenant", required=True, metavar="SLUG")
        tenant.add_argument("--dry-run", action="store_true", help="report, change nothing")
        sub.add_parser("prune", help="delete backup sets outside the retention")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(**options)
        except (
            actions.BackupBusyError,
            actions.BackupFailedError,
            targets.TargetError,
            tenant_restore.TenantRestoreError,
            EngineError,
            VaultError,
        ) as exc:
            raise CommandError(str(exc)) from None

    def _create(self, **options: Any) -> None:
        run = actions.create_backup(BackupRun.Trigger.MANUAL)
        if run.status != BackupRun.Status.GOOD:
            raise CommandError(f"backup {run.backup_id} FAILED: {run.error}")
        self.stdout.write(
            f"backup {run.backup_id} good: {run.size} bytes, {run.tables} tables, "
            f"{run.rows} rows, restore drill {run.drill_seconds or 0:.1f} s"
        )

    def _list(self, **options: Any) -> None:
        stored = actions.list_backups()
        health = backup_health()
        for manifest in stored:
            self.stdout.write(
                f"{manifest.id}  {manifest.created_at[:19]}  {manifest.engine:10}  "
                f"{manifest.size:>12} bytes  {len(manifest.tables):>3} tables  "
                f"{manifest.rows:>9} rows  verified {manifest.verified_at[:19]}"
            )
        if not stored:
            self.stdout.write("no good backups")
        age = health.last_good_age
        self.stdout.write(
            f"status: {health.status}; last good backup "
            + ("never" if age is None else f"{age / 3600:.1f} h ago")
        )

    def _verify(self, *, backup_id: str, **options: Any) -> None:
        findings = actions.verify(backup_id)
        if not findings.ok:
            raise CommandError(f"backup {backup_id} FAILED verification: {findings.summary()}")
        self.stdout.write(f"backup {backup_id} verified: {findings.summary()}")

    def _restore(self, *, backup_id: str, yes: bool, **options: Any) -> None:
        def confirm(question: str) -> bool:
            self.stdout.write(question)
            if yes:
                return True
            answer = input(f"Type the backup id ({backup_id}) to go ahead: ")
            return answer.strip() == backup_id

        outcome = actions.restore_installation(backup_id, confirm)
        for line in outcome.lines:
            self.stdout.write(line)
        if not outcome.done:
            raise CommandError("not confirmed; nothing changed")

    def _restore_tenant(
        self, *, backup_id: str, tenant: str, dry_run: bool, **options: Any
    ) -> None:
        report = tenant_restore.restore_tenant(backup_id, tenant, dry_run=dry_run)
        verb = "would put back" if dry_run else "put back"
        for table in report.tables:
            if not table.in_backup:
                continue
            cleared = (
                f", {table.references_cleared} references to deleted rows cleared"
                if table.references_cleared
                else ""
            )
            self.stdout.write(
                f"  {table.table}: {table.in_backup} in backup, {table.inserted} inserted, "
                f"{table.updated} updated, {table.unchanged} unchanged{cleared}"
            )
        for skipped in report.skipped:
            self.stdout.write(f"  {skipped}: not in this backup (newer table), skipped")
        self.stdout.write(
            f"tenant {tenant}: {verb} {report.inserted} row(s) and {report.updated} changed "
            f"row(s) from backup {backup_id}; no other tenant touched"
            + (" (dry run: nothing changed)" if dry_run else "")
        )

    def _prune(self, **options: Any) -> None:
        with actions.backup_lock(wait=True):
            removed = actions.prune()
        self.stdout.write(f"pruned {len(removed)} backup set(s)")
