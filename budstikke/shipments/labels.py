"""Shipping labels: PDF (A6, or four A6 labels on an A4 page) and ZPL for thermal printers.

One label per parcel. The big Code 128 barcode carries the tracking number (what a scanner
at any depot looks up); the QR code carries the public tracking URL for the recipient.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from budstikke.shipments.models import Parcel, Shipment

SIZES = ("a6", "a4")
FORMATS = ("pdf", "zpl")


def tracking_url(shipment: Shipment) -> str:
    return f"{settings.PUBLIC_URL}/t/{shipment.tracking_number}"


@dataclass(frozen=True)
class _Label:
    shipment: Shipment
    parcel_number: int
    parcel_total: int
    parcel_barcode: str


def _labels(shipments: Iterable[Shipment]) -> list[_Label]:
    found: list[_Label] = []
    for shipment in shipments:
        parcels = list(Parcel.objects.for_tenant(shipment.tenant).filter(shipment=shipment))
        if not parcels:
            found.append(_Label(shipment, 1, 1, shipment.tracking_number))
        for parcel in parcels:
            found.append(_Label(shipment, parcel.sequence, len(parcels), parcel.barcode))
    return found


def _lines(shipment: Shipment) -> tuple[list[str], list[str]]:
    sender = [
        shipment.pickup_name or "",
        shipment.pickup_address or "",
        f"{shipment.pickup_postcode or ''} {shipment.pickup_city or ''}".strip(),
    ]
    recipient = [
        shipment.recipient_name or "",
        *(shipment.delivery_address or "").splitlines(),
        f"{shipment.delivery_postcode or ''} {shipment.delivery_city or ''}".strip(),
        shipment.delivery_country if shipment.delivery_country != "DK" else "",
        shipment.recipient_phone or "",
    ]
    return [s for s in sender if s], [r for r in recipient if r]


def _draw(canvas: Canvas, label: _Label, x: float, y: float) -> None:
    """One A6 label (105 x 148 mm) with its lower left corner at (x, y)."""
    shipment = label.shipment
    width, height = A6
    margin = 6 * mm
    left, top = x + margin, y + height - margin
    canvas.setLineWidth(0.6)
    canvas.rect(x + 2 * mm, y + 2 * mm, width - 4 * mm, height - 4 * mm)

    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawString(left, top - 12, shipment.tenant.name[:34])
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawRightString(x + width - margin, top - 12, shipment.get_service_display().upper())

    sender, recipient = _lines(shipment)
    cursor = top - 30
    canvas.setFont("Helvetica", 7)
    canvas.drawString(left, cursor, _("From").upper())
    canvas.setFont("Helvetica", 8)
    for line in sender:
        cursor -= 10
        canvas.drawString(left, cursor, line[:60])
    cursor -= 16
    canvas.setFont("Helvetica", 7)
    canvas.drawString(left, cursor, _("To").upper())
    canvas.setFont("Helvetica-Bold", 12)
    for line in recipient[:6]:
        cursor -= 15
        canvas.drawString(left, cursor, line[:40])

    cursor -= 18
    canvas.setFont("Helvetica", 8)
    details = [
        _("Parcel %(n)d of %(total)d") % {"n": label.parcel_number, "total": label.parcel_total},
        _("Weight %(kg)s kg") % {"kg": f"{shipment.weight_kg.normalize():f}"},
    ]
    if shipment.reference:
        details.append(_("Ref. %(ref)s") % {"ref": shipment.reference[:30]})
    canvas.drawString(left, cursor, "  ·  ".join(details))
    if shipment.cod_amount:
        cursor -= 14
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(
            left,
            cursor,
            _("Cash on delivery: %(amount)s %(currency)s")
            % {"amount": shipment.cod_amount, "currency": shipment.cod_currency},
        )

    barcode = code128.Code128(
        shipment.tracking_number, barHeight=18 * mm, barWidth=0.42 * mm, quiet=True
    )
    barcode.drawOn(canvas, x + (width - barcode.width) / 2, y + 34 * mm)
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawCentredString(x + width / 2, y + 28 * mm, shipment.tracking_number)

    qr = QrCodeWidget(tracking_url(shipment), barLevel="M")
    x0, y0, x1, y1 = qr.getBounds()
    size = 24 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, canvas, x + margin - 2 * mm, y + 4 * mm)
    canvas.setFont("Helvetica", 7)
    canvas.drawString(x + margin + size, y + 16 * mm, _("Track your parcel:"))
    canvas.drawString(x + margin + size, y + 12 * mm, tracking_url(shipment)[:60])
    canvas.drawString(x + margin + size, y + 8 * mm, label.parcel_barcode)


def pdf(shipments: Iterable[Shipment], *, size: str = "a6") -> bytes:
    """A6: one label per page. A4: four A6 labels per page, in reading order."""
    labels = _labels(shipments)
    out = io.BytesIO()
    page = A4 if size == "a4" else A6
    canvas = Canvas(out, pagesize=page, pageCompression=1)
    canvas.setTitle(_("Shipping labels"))
    canvas.setCreator("Budstikke")
    if size == "a4":
        slots = [(0, A6[1]), (A6[0], A6[1]), (0, 0), (A6[0], 0)]
        for index, label in enumerate(labels):
            if index and index % 4 == 0:
                canvas.showPage()
            _draw(canvas, label, *slots[index % 4])
    else:
        for index, label in enumerate(labels):
            if index:
                canvas.showPage()
            _draw(canvas, label, 0, 0)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _zpl_text(value: str) -> str:
    """Field data with ZPL's control characters hex-escaped (used with ^FH)."""
    return "".join(f"_{ord(c):02X}" if c in "^~_\\" else c for c in value)


def zpl(shipments: Iterable[Shipment]) -> str:
    """ZPL II for a 4 x 6 inch label at 203 dpi (812 x 1218 dots), UTF-8 (^CI28)."""
    parts: list[str] = []
    for label in _labels(shipments):
        shipment = label.shipment
        sender, recipient = _lines(shipment)

        def text(x: int, y: int, size: int, value: str) -> str:
            return f"^FO{x},{y}^A0N,{size},{size}^FH^FD{_zpl_text(value)}^FS"

        fields = [
            "^XA",
            "^CI28",
            "^PW812",
            "^LL1218",
            text(30, 30, 40, shipment.tenant.name[:30]),
            text(560, 30, 34, shipment.get_service_display().upper()[:12]),
            text(30, 100, 22, _("From").upper()),
        ]
        y = 130
        for line in sender:
            fields.append(text(30, y, 26, line[:50]))
            y += 30
        y += 20
        fields.append(text(30, y, 22, _("To").upper()))
        y += 30
        for line in recipient[:6]:
            fields.append(text(30, y, 40, line[:34]))
            y += 46
        y += 10
        fields.append(
            text(
                30,
                y,
                26,
                _("Parcel %(n)d of %(total)d")
                % {"n": label.parcel_number, "total": label.parcel_total},
            )
        )
        if shipment.cod_amount:
            y += 36
            fields.append(
                text(
                    30,
                    y,
                    34,
                    _("Cash on delivery: %(amount)s %(currency)s")
                    % {"amount": shipment.cod_amount, "currency": shipment.cod_currency},
                )
            )
        fields += [
            f"^FO60,820^BY3^BCN,200,Y,N,N^FD{shipment.tracking_number}^FS",
            f"^FO600,1060^BQN,2,4^FH^FDQA,{_zpl_text(tracking_url(shipment))}^FS",
            text(30, 1100, 22, label.parcel_barcode),
            "^XZ",
        ]
        parts.append("\n".join(fields))
    return "\n".join(parts) + "\n"
