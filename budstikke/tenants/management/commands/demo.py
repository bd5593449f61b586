"""`manage.py demo`: the demo courier company and its people, created idempotently."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse

from budstikke.accounts.models import User
from budstikke.tenants.actions import ensure_membership, ensure_tenant
from budstikke.tenants.models import Role

DEMO_SLUG = "demo"
DEMO_NAME = "Demo Kurer ApS"
OPERATOR_EMAIL = "ops@budstikke.test"
DEMO_PEOPLE = [
    ("admin@demo.budstikke.test", "Astrid Admin", Role.ADMIN),
    ("dispatcher@demo.budstikke.test", "Dennis Disponent", Role.DISPATCHER),
    ("courier1@demo.budstikke.test", "Karl Kurer", Role.COURIER),
    ("courier2@demo.budstikke.test", "Kamilla Kurer", Role.COURIER),
]


class Command(BaseCommand):
    help = "Create or update the demo tenant and its users (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="a known password for every demo user")

    def handle(self, *args: Any, **options: Any) -> None:
        given: str | None = options["password"]
        if given is not None:
            try:
                validate_password(given)
            except ValidationError as exc:
                raise CommandError("--password: " + " ".join(exc.messages)) from exc
        generated = secrets.token_urlsafe(18) if given is None else None
        password = given or generated
        assert password is not None
        created: list[str] = []
        with transaction.atomic():
            tenant, tenant_created = ensure_tenant(slug=DEMO_SLUG, name=DEMO_NAME)
            for email, full_name, role in DEMO_PEOPLE:
                user, new = self._user(email, full_name, password, given is not None)
                ensure_membership(tenant=tenant, user=user, role=role)
                if new:
                    created.append(email)
            _operator, new = self._user(
                OPERATOR_EMAIL, "Olivia Operatør", password, given is not None, operator=True
            )
            if new:
                created.append(OPERATOR_EMAIL)

        write = self.stdout.write
        write(f"{'Created' if tenant_created else 'Kept'} tenant {tenant.name} ({tenant.slug}).")
        for email, _name, role in DEMO_PEOPLE:
            write(f"  {Role(role).label:<14} {email}")
        write(f"  {'Operator':<14} {OPERATOR_EMAIL}  (console at /ops/)")
        if given is not None:
            write("Every demo user has the password given with --password.")
        elif created:
            write(f"Password of the users created now ({len(created)}): {generated}")
            write("It is shown only this once; run `manage.py demo --password …` to set another.")
        else:
            write("Passwords kept; run `manage.py demo --password …` to set a known one.")
        write(
            f"Log in at {settings.PUBLIC_URL}{reverse('account_login')}. "
            "The first login asks each user to set up an authenticator app (TOTP)."
        )
        from budstikke.economic.demo import connect_demo

        connect_demo(tenant)
        write("e-conomic: the demo company uses the local simulator that `manage.py serve` starts.")
        from budstikke.shipments.demo import seed as seed_shipments

        write(f"Shipments: {seed_shipments(tenant)} demo shipments added (none when present).")
        from budstikke.privacy.records_demo import seed as seed_records

        added = seed_records(tenant)
        write(f"Privacy: DPA accepted; {added} sub-processors added (none when present).")

    @staticmethod
    def _user(
        email: str, full_name: str, password: str, reset: bool, *, operator: bool = False
    ) -> tuple[User, bool]:
        user = User.objects.filter(email=email).first()
        if user is None:
            make = User.objects.create_operator if operator else User.objects.create_user
            return make(email, password, full_name=full_name), True
        if reset:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user, False
