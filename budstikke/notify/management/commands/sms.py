"""`manage.py sms check NUMBER... [--tenant SLUG]` and `manage.py sms deliver`.

`check` prints one line per number, in order, and exits 0 whatever the answers:
`allowed +4512345678` or `refused +436641234567: country code +43 is not enabled`.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from budstikke.notify import outbox
from budstikke.notify.policy import Policy
from budstikke.tenants.models import Tenant


class Command(BaseCommand):
    help = "SMS: check numbers against the country allow-list; deliver the outbox now."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="may these numbers be texted?")
        check.add_argument("numbers", nargs="+", metavar="NUMBER")
        check.add_argument("--tenant", metavar="SLUG", help="include the tenant's granted codes")
        sub.add_parser("deliver", help="send every message that is due, now")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "check":
            self._check(options["numbers"], options.get("tenant"))
        else:
            outcomes = outbox.deliver_due()
            summary = ", ".join(f"{name} {count}" for name, count in sorted(outcomes.items()))
            self.stdout.write(summary or "nothing due")

    def _check(self, numbers: list[str], slug: str | None) -> None:
        tenant = None
        if slug:
            tenant = Tenant.objects.filter(slug=slug).first()
            if tenant is None:
                raise CommandError(f"no tenant with slug {slug!r}")
        policy = Policy.for_tenant(tenant)
        with translation.override("en"):
            for number in numbers:
                decision = policy.check(number)
                shown = decision.e164 or number
                if decision.allowed:
                    self.stdout.write(f"allowed {shown}")
                else:
                    self.stdout.write(f"refused {shown}: {decision.reason}")
