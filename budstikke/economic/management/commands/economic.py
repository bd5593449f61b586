"""`manage.py economic sync --tenant SLUG [--full]`: one sync round, printed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from budstikke.economic import sync
from budstikke.economic.models import Connection
from budstikke.tenants.models import Tenant


class Command(BaseCommand):
    help = "Run the e-conomic customer sync for one tenant and print what it did."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("sync", help="one sync round")
        run.add_argument("--tenant", required=True, help="the tenant's slug")
        run.add_argument(
            "--full", action="store_true", help="complete listing and reconciliation of deletions"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"no tenant with the slug {options['tenant']!r}")
        connection = Connection.objects.for_tenant(tenant).first()
        if connection is None or not connection.is_connected:
            raise CommandError(f"{tenant.slug} is not connected to e-conomic")
        try:
            report = sync.sync(connection, full=options["full"])
        except sync.BusyError:
            raise CommandError(
                "another sync of this tenant is running; try again shortly"
            ) from None
        for line in report.lines():
            self.stdout.write(line)
        if report.errors:
            raise CommandError(f"{len(report.errors)} errors; the next sync tries again")
