"""Backups: sealed snapshots twice a day, each proven by a restore drill before it counts.

`manage.py backup create | list | verify ID | restore ID | restore-tenant ID --tenant SLUG
[--dry-run] | prune`; the worker runs `tasks.scheduled_backup` at BACKUP_TIMES. The files
in the target (archive + manifest) are the truth; `BackupRun` rows are the journal that
/healthz, /metrics and the operator page read. See docs/backups.md.
"""
