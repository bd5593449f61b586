"""`manage.py privacy purge [--dry-run] | rules | after-restore`: data protection from the
command line."""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from budstikke.privacy import purge, registry, restore
from budstikke.privacy.models import PurgeRun
from budstikke.tenants.models import Tenant


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True))

    return [line(header), line(["-" * width for width in widths]), *map(line, rows)]


class Command(BaseCommand):
    help = "Data protection: run the retention purge, print the retention rules."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("purge", help="enforce every retention rule now")
        run.add_argument(
            "--dry-run", action="store_true", help="count what would go; change nothing"
        )
        sub.add_parser("rules", help="print the retention registry")
        sub.add_parser(
            "after-restore",
            help="re-apply purged tenants and erasures to a restored database",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, f"do_{options['action'].replace('-', '_')}")
        handler(options)

    def do_purge(self, options: dict[str, Any]) -> None:
        dry_run = bool(options["dry_run"])
        run = purge.run(trigger=PurgeRun.Trigger.MANUAL, dry_run=dry_run)
        counts = list(run.counts.order_by("rule", "action", "tenant_id"))
        slugs = Tenant.objects.in_bulk({c.tenant_id for c in counts if c.tenant_id is not None})
        verb = "would be changed (dry run: nothing was changed)" if dry_run else "changed"
        self.stdout.write(f"Retention purge {run.pk} at {run.started_at:%Y-%m-%d %H:%M} UTC")
        if counts:
            rows = [
                [
                    c.rule,
                    c.action,
                    slugs[c.tenant_id].slug if c.tenant_id in slugs else "(platform)",
                    str(c.count),
                ]
                for c in counts
            ]
            for text in _table(["rule", "action", "tenant", "rows"], rows):
                self.stdout.write(text.rstrip())
        total = sum(c.count for c in counts)
        self.stdout.write(f"{total} rows {verb}.")
        if run.error:
            raise CommandError(f"some rules failed:\n{run.error}")

    def do_rules(self, options: dict[str, Any]) -> None:
        rows = [
            [rule.key, rule.period_text, rule.starts, rule.action, rule.basis]
            for rule in [*registry.rules(), *registry.file_rules()]
        ]
        for text in _table(["rule", "kept", "from", "then", "why"], rows):
            self.stdout.write(text.rstrip())
        self.stdout.write("")
        self.stdout.write("No personal data, no rule:")
        for label, reason in sorted(registry.NO_PERSONAL_DATA.items()):
            self.stdout.write(f"  {label}: {reason}")

    def do_after_restore(self, options: dict[str, Any]) -> None:
        for line in restore.after_restore():
            self.stdout.write(line)
