"""The processor's record of processing activities (GDPR Art. 30(2)), generated, not written:
retention from the one retention registry, transfers from the sub-processor list, security
measures from the settings and data the code really runs with. A record that cannot drift
from the system it describes.

Two views of one record: a tenant admin sees the part about their company as controller;
the operator sees the record across all controllers (company names only: no personal data).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budstikke.core import clock
from budstikke.privacy import agreements, subprocessors
from budstikke.tenants.models import Membership, Role, Tenant

# The lowest TLS version the embedded server accepts (core/management/commands/serve.py).
TLS_VERSIONS = "TLS 1.2, TLS 1.3"

# What the platform does with a controller's data on its instructions (Art. 30(2)(b)).
ACTIVITIES = (
    gettext_lazy(
        "Customer database: the courier company's shipper customers and their contacts, "
        "kept in two-way sync with its accounting system (e-conomic)."
    ),
    gettext_lazy(
        "Shipments: intake by web form, API and CSV; labels; dispatch to couriers; "
        "tracking events; proof of delivery (signature, photo, position)."
    ),
    gettext_lazy("Text messages (SMS) to recipients about their deliveries."),
    gettext_lazy("Public tracking page for recipients."),
    gettext_lazy("Invoicing of delivered work through the accounting system."),
    gettext_lazy(
        "User accounts of the company's staff: sign-in with two factors, sessions, "
        "security logging."
    ),
    gettext_lazy("Backups and restores of all of the above."),
)
SUBJECTS = (
    gettext_lazy("The courier company's staff (administrators, dispatchers, couriers)"),
    gettext_lazy("Its customers (shippers) and their contact persons"),
    gettext_lazy("Senders and recipients of shipments"),
)


@dataclass(frozen=True)
class RetentionLine:
    key: str
    data: str
    categories: str
    period: str
    starts: str
    action: str
    basis: str


@dataclass(frozen=True)
class Transfer:
    name: str
    purpose: str
    location: str
    basis: str
    categories: str


@dataclass(frozen=True)
class Measure:
    title: str
    text: str


@dataclass(frozen=True)
class Controller:
    name: str
    country: str
    status: str
    dpa_version: str
    contacts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Record:
    """One record of processing, as a page and a PDF render it."""

    title: str
    processor: str
    processor_contact: str
    controllers: tuple[Controller, ...]
    activities: tuple[str, ...]
    subjects: tuple[str, ...]
    categories: tuple[str, ...]
    retention: tuple[RetentionLine, ...]
    transfers: tuple[Transfer, ...]
    measures: tuple[Measure, ...]
    generated_at: datetime = field(default_factory=clock.now)


def _label(value: Any) -> str:
    """A readable text for what the registry holds: a lazy string, a choice, a model."""
    if value is None:
        return ""
    label = getattr(value, "label", None)
    if label is not None:
        return str(label)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(_label(item) for item in value)
    return str(value)


def _model_label(model: Any) -> str:
    meta = getattr(model, "_meta", None)
    if meta is None and isinstance(model, str):
        try:
            meta = apps.get_model(model)._meta
        except (LookupError, ValueError):
            return model
    if meta is None:
        return _label(model)
    return str(meta.verbose_name_plural).capitalize()


def _categories(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, Iterable):
        return [_label(item) for item in value if _label(item)]
    return [_label(value)]


def retention() -> tuple[RetentionLine, ...]:
    from budstikke.privacy import registry

    return tuple(
        RetentionLine(
            key=str(rule.key),
            data=_model_label(rule.model),
            categories=", ".join(_categories(rule.categories)),
            period=_label(rule.period_text),
            starts=_label(rule.starts),
            action=_label(getattr(rule, "action_text", None) or rule.action),
            basis=_label(rule.basis),
        )
        for rule in registry.rules()
    )


def data_categories(lines: Iterable[RetentionLine]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for line in lines:
        for category in _categories(line.categories):
            seen.setdefault(category.casefold(), category)
    return tuple(sorted(seen.values(), key=str.casefold))


def transfers() -> tuple[Transfer, ...]:
    return tuple(
        Transfer(
            name=sub.name,
            purpose=sub.purpose,
            location=sub.location,
            basis=sub.transfer_basis,
            categories=sub.data_categories,
        )
        for sub in subprocessors.current()
    )


def _days(seconds: int) -> int:
    return seconds // 86400


def measures() -> tuple[Measure, ...]:
    """Art. 30(2)(d): the technical and organisational measures, read from what runs."""
    from budstikke.notify.models import AllowedCallingCode
    from budstikke.shield.models import CountryPolicy

    codes = ", ".join(
        f"+{code}" for code in AllowedCallingCode.objects.values_list("code", flat=True)
    )
    restricted = CountryPolicy.objects.filter(restricted=True).count()
    times = ", ".join(f"{hour:02d}:{minute:02d}" for hour, minute in settings.BACKUP_TIMES)
    hsts = _("HSTS for %(days)d days%(sub)s") % {
        "days": _days(settings.SECURE_HSTS_SECONDS),
        "sub": _(", including subdomains") if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS else "",
    }
    if settings.SHIELD_ENABLED:
        shield = _(
            "An intrusion shield records every failed sign-in, probe and flood as a security "
            "event, bans the addresses behind attacks (first ban %(first)d minutes, doubled on "
            "each repeat, up to %(most)d days) and restricts countries outside the protected "
            "list from which attacks come; %(restricted)d countries are restricted now."
        ) % {
            "first": settings.SHIELD_BAN_BASE_SECONDS // 60,
            "most": max(_days(settings.SHIELD_BAN_MAX_SECONDS), 1),
            "restricted": restricted,
        }
    else:
        shield = _("The intrusion shield is switched off in this installation.")
    return (
        Measure(
            _("Encryption of personal data"),
            _(
                "Personal data is stored only as AES-256-GCM ciphertext under a data key of "
                "the company's own (envelope encryption). Data keys are wrapped by a "
                "key-encryption key held by the key provider “%(provider)s”, and are kept "
                "apart from the database and its backups. Exact search uses keyed blind "
                "indexes, never clear text."
            )
            % {"provider": settings.VAULT_KEY_PROVIDER},
        ),
        Measure(
            _("Two-factor sign-in"),
            _(
                "Every user signs in with a password and a second factor (%(factors)s); no "
                "page with data opens without it. Sessions end after %(idle)d minutes "
                "without use and %(absolute)d hours after sign-in."
            )
            % {
                "factors": ", ".join(
                    {"totp": _("authenticator app"), "webauthn": _("security key")}.get(kind, kind)
                    for kind in settings.MFA_SUPPORTED_TYPES
                    if kind != "recovery_codes"
                ),
                "idle": settings.SESSION_IDLE_TIMEOUT_SECONDS // 60,
                "absolute": settings.SESSION_COOKIE_AGE // 3600,
            },
        ),
        Measure(
            _("Encrypted connections"),
            _("HTTPS only, with %(tls)s; plain HTTP is redirected; %(hsts)s.")
            % {"tls": TLS_VERSIONS, "hsts": hsts},
        ),
        Measure(_("Intrusion shield"), shield),
        Measure(
            _("Backups"),
            _(
                "Backups every day at %(times)s (%(zone)s), compressed and encrypted with "
                "AES-256-GCM; each one is proven by a restore drill, and the newest is drilled "
                "again daily. Kept: the newest %(last)d, one per day for %(daily)d days, one "
                "per month for %(monthly)d months."
            )
            % {
                "times": times,
                "zone": settings.TIME_ZONE,
                "last": settings.BACKUP_KEEP_LAST,
                "daily": settings.BACKUP_KEEP_DAILY,
                "monthly": settings.BACKUP_KEEP_MONTHLY,
            },
        ),
        Measure(
            _("Text messages only to allowed countries"),
            _("SMS are sent only to numbers with these calling codes: %(codes)s.")
            % {"codes": codes or _("none")},
        ),
        Measure(
            _("Deletion when a company leaves"),
            _(
                "When a company stops using Budstikke, its data can be exported for "
                "%(grace)d days; then its data keys are destroyed (crypto-shredding) and its "
                "rows and files deleted, so copies in older backups can no longer be read. "
                "Backups of the keyring are kept %(keyring)d days."
            )
            % {
                "grace": settings.PRIVACY_GRACE_DAYS,
                "keyring": settings.VAULT_KEYRING_BACKUP_DAYS,
            },
        ),
        Measure(
            _("No vendor access to customer data"),
            _(
                "Platform operators see company metadata (name, plan, counts, status) but no "
                "personal data; each company's administrators alone decide who has access."
            ),
        ),
    )


def _controller(tenant: Tenant, *, with_contacts: bool) -> Controller:
    accepted = agreements.latest_accepted(tenant)
    contacts: tuple[str, ...] = ()
    if with_contacts:
        admins = (
            Membership.objects.for_tenant(tenant)
            .filter(role=Role.ADMIN)
            .select_related("user")
            .order_by("user__email")
        )
        contacts = tuple(
            f"{m.user.full_name} <{m.user.email}>" if m.user.full_name else m.user.email
            for m in admins
        )
    return Controller(
        name=tenant.name,
        country=tenant.country,
        status=str(tenant.get_status_display()),
        dpa_version=accepted.agreement.version if accepted else "",
        contacts=contacts,
    )


def _record(title: str, controllers: tuple[Controller, ...]) -> Record:
    lines = retention()
    return Record(
        title=title,
        processor=settings.PRIVACY_PROCESSOR_NAME,
        processor_contact=settings.PRIVACY_PROCESSOR_CONTACT,
        controllers=controllers,
        activities=tuple(str(activity) for activity in ACTIVITIES),
        subjects=tuple(str(subject) for subject in SUBJECTS),
        categories=data_categories(lines),
        retention=lines,
        transfers=transfers(),
        measures=measures(),
        generated_at=clock.now(),
    )


def for_controller(tenant: Tenant) -> Record:
    """The record of the processing the platform does for one company (the tenant's view;
    it names the company's own administrators as its contacts)."""
    title = _("Record of processing for %(tenant)s") % {"tenant": tenant.name}
    return _record(title, (_controller(tenant, with_contacts=True),))


def for_processor() -> Record:
    """The processor's record across every controller it acts for (the operator's view):
    companies by name only, no people."""
    tenants = Tenant.objects.exclude(status=Tenant.Status.PURGED).order_by("name", "pk")
    return _record(
        _("Record of processing activities of the processor"),
        tuple(_controller(tenant, with_contacts=False) for tenant in tenants),
    )
