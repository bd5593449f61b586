"""`manage.py tenant offboard SLUG [--now]`, `tenant withdraw SLUG`, `tenant status SLUG`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from budstikke.privacy import offboarding
from budstikke.tenants.models import Tenant


class Command(BaseCommand):
    help = "A tenant's lifecycle: offboard (end the licence, and with --now delete at once)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        off = sub.add_parser("offboard", help="end the licence; the data goes after the grace")
        off.add_argument("slug")
        off.add_argument(
            "--now", action="store_true", help="skip the grace period: delete everything now"
        )
        status = sub.add_parser("status", help="the tenant's lifecycle state")
        status.add_argument("slug")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["slug"]).first()
        if tenant is None:
            raise CommandError(f"no tenant {options['slug']!r}")
        try:
            if options["action"] == "offboard":
                self._offboard(tenant, now=options["now"])
            else:
                self._status(tenant)
        except offboarding.OffboardingError as exc:
            raise CommandError(str(exc)) from None

    def _status(self, tenant: Tenant) -> None:
        self.stdout.write(f"{tenant.slug}: {tenant.status}")
        if tenant.purge_after and tenant.status == Tenant.Status.CANCELLED:
            self.stdout.write(f"data deleted after {tenant.purge_after:%Y-%m-%d %H:%M} UTC")

    def _offboard(self, tenant: Tenant, *, now: bool) -> None:
        if tenant.status == Tenant.Status.ACTIVE:
            tenant = offboarding.cancel(tenant, by="operator")
            self.stdout.write(
                f"{tenant.slug}: licence ended; data deleted after "
                f"{tenant.purge_after:%Y-%m-%d %H:%M} UTC"
            )
        if not now:
            return
        certificate = offboarding.purge(tenant, now=True)
        self.stdout.write(f"{tenant.slug}: deleted; certificate {certificate.number}")
        for label, count in certificate.rows.items():
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(f"  key versions destroyed: {certificate.key_versions_shredded}")
        self.stdout.write(f"  SHA-256: {certificate.digest}")
