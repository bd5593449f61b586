"""`manage.py apikey create --tenant SLUG --scopes a,b [--name N]`: print a new API key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from budstikke.api.actions import create_api_key
from budstikke.api.scopes import parse_scopes
from budstikke.tenants.models import Tenant


class Command(BaseCommand):
    help = "Create an API key for a tenant and print it (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key and print it")
        create.add_argument("--tenant", required=True, help="the tenant's slug")
        create.add_argument(
            "--scopes", required=True, help="comma-separated, e.g. shipments:read,shipments:write"
        )
        create.add_argument("--name", default="Command-line key")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scopes = parse_scopes(options["scopes"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"no tenant with slug {options['tenant']!r}")
        if tenant.status != Tenant.Status.ACTIVE:
            raise CommandError(f"tenant {tenant.slug!r} is {tenant.status}, not active")
        api_key, secret = create_api_key(
            tenant=tenant, name=options["name"], scopes=scopes, created_by=None
        )
        self.stderr.write(
            f"Created API key {api_key.prefix}… for {tenant.slug} with scopes "
            f"{', '.join(api_key.scopes)}. It is shown only now:"
        )
        self.stdout.write(secret)
