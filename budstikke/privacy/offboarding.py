"""Tenant offboarding: cancel, a grace period to export, then every row deleted and the keys
destroyed, with a deletion certificate.

The lifecycle is active → cancelled (admin or operator; `purge_after` set) → purged. During
the grace period only the tenant's admins can sign in to it, to export or to withdraw the
cancellation. The purge deletes every row that names the tenant, deletes staff accounts that
belonged to no other tenant, and shreds the tenant's data keys, so every older copy of its
data — database backups included — is unreadable. The Tenant row stays as a tombstone with
no personal data, because the keyring remembers shredded keys by tenant id, the deletion
certificate names the company, and the platform's licence invoices to it are accounting data
kept for 5 years.

A restored backup from before the purge brings the rows back (as ciphertext nobody can read).
`reapply_after_restore()`, run after every restore and by the nightly job, finds tenants whose
keys the keyring says are destroyed and deletes their rows again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, router, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from budstikke.core import clock
from budstikke.privacy import tenant_mail
from budstikke.privacy.models import DeletionCertificate
from budstikke.tenants.models import Membership, Role, Tenant
from budstikke.vault import shredding
from budstikke.vault.fields import BlindIndexField, SealedRecordField, record_fields

if TYPE_CHECKING:
    from budstikke.accounts.models import User

logger = logging.getLogger(__name__)

# Rows that name the tenant and outlive it: the tombstone, the platform's own accounting of
# its licence (5 years), and the certificate that proves the deletion.
KEPT = frozenset({"tenants.Tenant", "tenants.LicenceInvoice", "privacy.DeletionCertificate"})
# Columns that are not the tenant's data but our means to find or check it: exporting an
# HMAC or a token hash would tell the controller nothing.
_NOT_EXPORTED = frozenset({"token_hash", "key_hash", "secret_hash"})


class OffboardingError(Exception):
    """A lifecycle step that does not fit the tenant's state, said so a person can act."""


def tenant_models() -> list[type[models.Model]]:
    """Every model whose rows belong to one tenant, parents before children, except those
    kept on purpose (KEPT)."""
    from budstikke.backups.tenant_restore import tenant_models as ordered

    return [m for m in ordered() if m._meta.label not in KEPT]


def _rows(model: type[models.Model], tenant_id: int) -> models.QuerySet[Any]:
    return model._base_manager.filter(tenant_id=tenant_id)


def _admins(tenant: Tenant) -> list[str]:
    return list(
        Membership.objects.filter(tenant=tenant, role=Role.ADMIN).values_list(
            "user__email", flat=True
        )
    )


# -- lifecycle ---------------------------------------------------------------------------


@transaction.atomic
def cancel(tenant: Tenant, *, by: str, grace_days: int | None = None) -> Tenant:
    """Cancel the subscription (the admin) or end the licence (the operator). The data stays
    for the grace period, then goes for good."""
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if tenant.status != Tenant.Status.ACTIVE:
        raise OffboardingError(_("This company is not active; there is nothing to cancel."))
    if by not in {"admin", "operator"}:
        raise ValueError(f"cancelled by {by!r}?")
    days = settings.PRIVACY_GRACE_DAYS if grace_days is None else grace_days
    now = clock.now()
    tenant.status = Tenant.Status.CANCELLED
    tenant.cancelled_at = now
    tenant.cancelled_by = by
    tenant.purge_after = now + timedelta(days=days)
    tenant.save(update_fields=["status", "cancelled_at", "cancelled_by", "purge_after"])

    def compose(company: Tenant) -> tuple[str, str]:
        return (
            _("%(company)s: the subscription is cancelled") % {"company": company.name},
            _(
                "The subscription of %(company)s on Budstikke was cancelled. Only "
                "administrators can still sign in, to export the company's data or to withdraw "
                "the cancellation. On %(date)s every record is deleted and the encryption keys "
                "destroyed; that cannot be undone.\n\nExport: %(url)s\n"
            )
            % {
                "company": company.name,
                "date": f"{company.purge_after:%Y-%m-%d %H:%M} UTC",
                "url": tenant_mail.page_link("privacy:offboarding"),
            },
        )

    tenant_mail.mail_admins_of([tenant], compose, leaving=True)
    logger.warning("tenant %s cancelled by %s; purge after %s", tenant.pk, by, tenant.purge_after)
    return tenant


@transaction.atomic
def withdraw(tenant: Tenant) -> Tenant:
    """Undo a cancellation within the grace period."""
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if tenant.status != Tenant.Status.CANCELLED:
        raise OffboardingError(_("This company is not cancelled."))
    if tenant.cancelled_by == "operator":
        raise OffboardingError(
            _("The platform operator ended this licence; only the operator can restore it.")
        )
    tenant.status = Tenant.Status.ACTIVE
    tenant.cancelled_at = None
    tenant.cancelled_by = ""
    tenant.purge_after = None
    tenant.save(update_fields=["status", "cancelled_at", "cancelled_by", "purge_after"])
    return tenant


# -- export ------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _exported_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The model's columns, then the fields of its sealed record (decrypted, by name); not
    the sealed record itself, nor blind indexes and token hashes."""
    columns = [
        f
        for f in model._meta.concrete_fields
        if not isinstance(f, BlindIndexField | SealedRecordField) and f.name not in _NOT_EXPORTED
    ]
    return [*columns, *record_fields(model)]


def _records(model: type[models.Model], tenant: Tenant) -> Iterator[dict[str, Any]]:
    fields = _exported_fields(model)
    for obj in _rows(model, tenant.pk).order_by("pk").iterator(chunk_size=2000):
        yield {f.attname: _plain(getattr(obj, f.attname)) for f in fields}


def export(tenant: Tenant, sink: IO[bytes]) -> dict[str, int]:
    """Everything the tenant keeps here, decrypted, as a zip: one JSON-lines file per kind
    of record and a manifest with the counts. Returns the counts."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for model in tenant_models():
            label = model._meta.label
            written = 0
            with archive.open(f"{label}.jsonl", "w", force_zip64=True) as member:
                for record in _records(model, tenant):
                    member.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
                    written += 1
            counts[label] = written
        manifest = {
            "company": tenant.name,
            "exported_at": clock.now().isoformat(),
            "format": "one JSON object per line; file name = kind of record",
            "records": counts,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return counts


# -- purge -------------------------------------------------------------------------------


@dataclass
class _Deleted:
    rows: dict[str, int]
    users: int


def _delete_rows(tenant_id: int) -> _Deleted:
    """Delete with plain SQL, children first: the rows are never loaded, so encrypted rows
    whose keys are already gone (after a restore) go just the same. Foreign keys are checked
    at commit, so anything outside the tenant still pointing at its rows stops the purge."""
    rows: dict[str, int] = {}
    staff = set(Membership.objects.filter(tenant_id=tenant_id).values_list("user_id", flat=True))
    for model in reversed(tenant_models()):
        # Many-to-many tables of tenant models hold no tenant column: empty them first.
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            assert through is not None
            column = m2m.m2m_field_name()
            through._base_manager.filter(**{f"{column}__tenant_id": tenant_id})._raw_delete(
                router.db_for_write(through)
            )
        count = _rows(model, tenant_id)._raw_delete(router.db_for_write(model))
        if count:
            rows[model._meta.label] = count
    users = _delete_lone_staff(staff)
    return _Deleted(rows, users)


def _delete_lone_staff(user_ids: set[int]) -> int:
    """Staff accounts (email, name, second factors) of people who work for no other tenant
    are the tenant's personal data too. Operators are never deleted here."""
    from budstikke.accounts.models import User

    lone = (
        User.objects.filter(pk__in=user_ids, is_operator=False)
        .exclude(memberships__isnull=False)
        .values_list("pk", flat=True)
    )
    ids = list(lone)
    if ids:
        User.objects.filter(pk__in=ids).delete()
    return len(ids)


def _certificate(
    tenant: Tenant, deleted: _Deleted, shredded: int, *, method: str
) -> DeletionCertificate:
    now = clock.now()
    number = f"DC-{now:%Y%m%d}-{tenant.pk}-{secrets.token_hex(3).upper()}"
    rows = dict(sorted(deleted.rows.items()))
    if deleted.users:
        rows["accounts.User"] = deleted.users
    certificate = DeletionCertificate(
        tenant=tenant,
        number=number,
        tenant_name=tenant.name,
        cancelled_at=tenant.cancelled_at,
        purged_at=now,
        rows=rows,
        files={},
        key_versions_shredded=shredded,
        method=method,
    )
    certificate.digest = certificate_digest(certificate)
    certificate.save()
    return certificate


def certificate_digest(certificate: DeletionCertificate) -> str:
    """SHA-256 over the certificate's content, so a copy kept by the controller can be
    checked against ours."""
    content = {
        "number": certificate.number,
        "tenant": certificate.tenant_id,
        "company": certificate.tenant_name,
        "cancelled_at": certificate.cancelled_at.isoformat() if certificate.cancelled_at else None,
        "purged_at": certificate.purged_at.isoformat(),
        "rows": certificate.rows,
        "files": certificate.files,
        "key_versions_shredded": certificate.key_versions_shredded,
        "method": certificate.method,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


METHOD = (
    "Rows deleted from the database with SQL DELETE in one transaction; staff accounts that "
    "belonged to no other company deleted; every version of the company's data-encryption "
    "key destroyed in the keyring (AES-256-GCM, crypto-shredding), so copies in database "
    "backups cannot be decrypted; keyring backups holding the key expire after "
    "{days} days."
)


def purge(tenant: Tenant, *, now: bool = False) -> DeletionCertificate:
    """Delete everything of a cancelled tenant whose grace period has ended (or at once
    with `now=True`, which the operator's command asks for explicitly)."""
    tenant.refresh_from_db()
    if tenant.status == Tenant.Status.PURGED:
        raise OffboardingError(_("This company's data is already deleted."))
    if tenant.status != Tenant.Status.CANCELLED:
        raise OffboardingError(_("Only a cancelled company can be deleted."))
    if not now and tenant.purge_after is not None and tenant.purge_after > clock.now():
        raise OffboardingError(_("The grace period has not ended yet."))
    with translation.override(tenant.language):
        company = tenant.name
        subject = _("%(company)s: your data is deleted") % {"company": company}
    admins = _admins(tenant)
    with transaction.atomic():
        deleted = _delete_rows(tenant.pk)
        tenant.status = Tenant.Status.PURGED
        tenant.purged_at = clock.now()
        tenant.save(update_fields=["status", "purged_at"])
    # After the commit: if the transaction had failed, the keys would still be needed.
    shredded = shredding.shred(tenant)
    certificate = _certificate(
        tenant,
        deleted,
        shredded,
        method=METHOD.format(days=settings.VAULT_KEYRING_BACKUP_DAYS),
    )
    if admins:
        with translation.override(tenant.language):
            body = _(
                "Every record of %(company)s on Budstikke has been deleted and its encryption "
                "keys destroyed.\n\nDeletion certificate %(number)s\nRecords deleted: "
                "%(rows)s\nSHA-256: %(digest)s\n"
            ) % {
                "company": company,
                "number": certificate.number,
                "rows": sum(certificate.rows.values()),
                "digest": certificate.digest,
            }
            send_mail(subject, body, None, admins)
    logger.warning("tenant %s purged: certificate %s", tenant.pk, certificate.number)
    return certificate


def purge_due_tenants() -> list[DeletionCertificate]:
    """The nightly job: cancelled tenants whose grace period has ended; then any tenant
    whose keys are destroyed but whose rows came back with a restored backup."""
    done: list[DeletionCertificate] = []
    due = Tenant.objects.filter(status=Tenant.Status.CANCELLED, purge_after__lte=clock.now())
    for tenant in due:
        try:
            done.append(purge(tenant))
        except Exception:
            logger.exception("purging tenant %s failed; the next run tries again", tenant.pk)
    done += reapply_after_restore()
    return done


def reapply_after_restore() -> list[DeletionCertificate]:
    """A backup from before a purge brings back the tenant's rows and its old status.
    The keyring is not in the backup and still knows the keys are destroyed: delete those
    rows again and put the tombstone back."""
    done: list[DeletionCertificate] = []
    for tenant in Tenant.objects.all():
        if not shredding.is_shredded(tenant):
            continue
        has_rows = any(_rows(m, tenant.pk).exists() for m in tenant_models())
        if not has_rows and tenant.status == Tenant.Status.PURGED:
            continue
        with transaction.atomic():
            deleted = _delete_rows(tenant.pk)
            tenant.status = Tenant.Status.PURGED
            tenant.purged_at = tenant.purged_at or clock.now()
            tenant.save(update_fields=["status", "purged_at"])
        done.append(
            _certificate(
                tenant,
                deleted,
                0,
                method="Re-applied after a database restore: the keys were already destroyed; "
                "the restored rows were deleted with SQL DELETE.",
            )
        )
        logger.warning("tenant %s: purge re-applied after a restore", tenant.pk)
    return done


def grace_left(tenant: Tenant) -> timedelta | None:
    if tenant.status != Tenant.Status.CANCELLED or tenant.purge_after is None:
        return None
    return max(tenant.purge_after - clock.now(), timedelta(0))


def staff_of(tenant: Tenant) -> list[User]:
    from budstikke.accounts.models import User

    return list(User.objects.filter(memberships__tenant=tenant))
