"""`manage.py demo`: the demo courier company, created idempotently."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from budstikke.tenants.actions import ensure_tenant

DEMO_SLUG = "demo"
DEMO_NAME = "Demo Kurer ApS"


class Command(BaseCommand):
    help = "Create or update the demo tenant and its data (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="a known password for every demo user")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant, created = ensure_tenant(slug=DEMO_SLUG, name=DEMO_NAME)
        self.stdout.write(
            f"{'Created' if created else 'Kept'} tenant {tenant.name} ({tenant.slug})."
        )
