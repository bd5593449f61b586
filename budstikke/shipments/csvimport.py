"""CSV import: template, reading what Danish Excel writes, a preview, an all-or-nothing commit.

Excel in Danish saves "CSV (semikolonsepareret)" with `;`, decimal commas and cp1252, or
UTF-8 with a BOM when "CSV UTF-8" is chosen; all of these are read. Row numbers in messages
are the row numbers Excel shows (the header is row 1), so a person can find the cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from budstikke.accounts.models import User
from budstikke.core import clock
from budstikke.customers.models import Customer
from budstikke.shipments import actions, intake
from budstikke.shipments.actions import ShipmentDraft
from budstikke.shipments.models import CsvImport, Shipment, Source
from budstikke.tenants.models import Tenant

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

COLUMNS: tuple[str, ...] = (
    "customer_number",
    "service",
    "recipient_name",
    "recipient_phone",
    "recipient_email",
    "recipient_language",
    "delivery_address",
    "delivery_postcode",
    "delivery_city",
    "delivery_country",
    "pickup_index",
    "reference",
    "order_reference",
    "notes",
    "window_start",
    "window_end",
    "parcel_count",
    "weight_kg",
    "length_cm",
    "width_cm",
    "height_cm",
    "cod_amount",
    "cod_currency",
)
REQUIRED: tuple[str, ...] = (
    "customer_number",
    "recipient_name",
    "delivery_address",
    "delivery_postcode",
    "delivery_city",
)
EXAMPLE: dict[str, str] = {
    "customer_number": "1001",
    "service": "standard",
    "recipient_name": "Mette Mogensen",
    "recipient_phone": "+45 20 12 34 56",
    "recipient_email": "mette@example.dk",
    "recipient_language": "da",
    "delivery_address": "Vesterbrogade 10, 2. th.",
    "delivery_postcode": "1620",
    "delivery_city": "København V",
    "delivery_country": "DK",
    "pickup_index": "1",
    "reference": "ORDRE-1234",
    "order_reference": "",
    "notes": "Stil ved døren",
    "window_start": "2026-03-14 10:00",
    "window_end": "2026-03-14 12:00",
    "parcel_count": "1",
    "weight_kg": "2,5",
    "length_cm": "40",
    "width_cm": "30",
    "height_cm": "20",
    "cod_amount": "",
    "cod_currency": "",
}


class CsvFileError(ValueError):
    """The file as a whole cannot be read (encoding, header, size)."""


@dataclass
class RowResult:
    row: int  # as Excel numbers it: the header is row 1
    draft: ShipmentDraft | None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def messages(self) -> list[str]:
        return [
            _("Row %(row)d, %(field)s: %(message)s")
            % {"row": self.row, "field": name, "message": message}
            for name, messages in self.errors.items()
            for message in messages
        ]


@dataclass
class Preview:
    rows: list[RowResult]

    @property
    def errors(self) -> list[str]:
        return [message for row in self.rows for message in row.messages()]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(row.errors for row in self.rows)


def template() -> bytes:
    """The downloadable template: UTF-8 with BOM and `;`, so Excel opens it right."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE[c] for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    if len(content) > MAX_BYTES:
        raise CsvFileError(_("The file is larger than 5 MB; split it."))
    text = decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise CsvFileError(_("The file is empty.")) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CsvFileError(
            _("The header row lacks the column(s): %(columns)s. Start from the template.")
            % {"columns": ", ".join(missing)}
        )
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise CsvFileError(
            _("Unknown column(s): %(columns)s.") % {"columns": ", ".join(unknown[:10])}
        )
    rows: list[tuple[int, dict[str, str]]] = []
    row_number = 1
    try:
        for row_number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise CsvFileError(_("More than %(max)d rows; split the file.") % {"max": MAX_ROWS})
            rows.append((row_number, dict(zip(header, cells, strict=False))))
    except csv.Error as error:
        raise CsvFileError(
            _("Row %(row)d cannot be read: %(error)s") % {"row": row_number + 1, "error": error}
        ) from None
    if not rows:
        raise CsvFileError(_("The file has a header but no rows."))
    return rows


def preview(tenant: Tenant, content: bytes) -> Preview:
    """Every row validated; nothing written. Raises `CsvFileError` for an unreadable file."""
    rows = _rows(content)
    customers: Mapping[int, Customer] = {
        c.customer_number: c
        for c in Customer.objects.for_tenant(tenant).filter(customer_number__isnull=False)
    }
    policy = intake.phone_policy(tenant)
    results = []
    for number, values in rows:
        customer, customer_error = None, ""
        raw = (values.get("customer_number") or "").strip()
        if not raw:
            customer_error = _("This field is required.")
        elif not raw.isdigit() or int(raw) not in customers:
            customer_error = _("No customer has the number “%(value)s”.") % {"value": raw[:20]}
        else:
            customer = customers[int(raw)]
        try:
            draft = intake.parse(tenant, values, customer=customer, policy=policy)
            errors: dict[str, list[str]] = {}
        except intake.IntakeError as error:
            draft, errors = None, error.errors
        if customer_error:
            errors.pop("customer", None)
            errors = {"customer_number": [customer_error], **errors}
            draft = None
        results.append(RowResult(row=number, draft=draft, errors=errors))
    return Preview(rows=results)


def upload(tenant: Tenant, content: bytes, *, user: User | None) -> tuple[CsvImport, Preview]:
    """Keep the file (encrypted) for the commit step and return its preview."""
    result = preview(tenant, content)
    stored = CsvImport.objects.create(
        tenant=tenant, created_by=user, content=content, row_count=len(result.rows)
    )
    return stored, result


class ImportRefusedError(ValueError):
    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("; ".join(messages[:5]))


def commit(stored: CsvImport, *, user: User | None) -> list[Shipment]:
    """All rows or none. Committing twice (a double click) imports once."""
    with transaction.atomic():
        locked = CsvImport.objects.for_tenant(stored.tenant).select_for_update().get(pk=stored.pk)
        if locked.committed_at is not None:
            raise ImportRefusedError([_("This file was already imported.")])
        result = preview(locked.tenant, locked.content or b"")
        if not result.ok:
            raise ImportRefusedError(result.errors)
        drafts = [row.draft for row in result.rows if row.draft is not None]
        actor = actions.Actor(user=user, label="csv")
        shipments = actions.create_many(locked.tenant, drafts, source=Source.CSV, actor=actor)
        locked.committed_at = clock.now()
        locked.shipment_count = len(shipments)
        locked.content = None
        locked.save(update_fields=["committed_at", "shipment_count", "content"])
    return shipments
