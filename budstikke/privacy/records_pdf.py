"""The record of processing as a PDF (A4), drawn with reportlab from the same `Record` the
page shows, so the two cannot disagree."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from budstikke.privacy.records import Record

NONE = "\u2013"  # en dash: nothing to show
_STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontSize=9, leading=11.5)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=10)
HEAD = ParagraphStyle("head", parent=CELL, fontName="Helvetica-Bold")
H1 = ParagraphStyle("h1", parent=_STYLES["Heading1"], fontSize=16)
H2 = ParagraphStyle("h2", parent=_STYLES["Heading2"], fontSize=12, spaceBefore=8)


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def _table(header: list[str], rows: list[list[str]], widths: list[float]) -> Table:
    data = [[_p(cell, HEAD) for cell in header]] + [
        [_p(cell, CELL) for cell in row] for row in rows
    ]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef0f4")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _bullets(items: tuple[str, ...]) -> list[Flowable]:
    return [_p(f"• {item}") for item in items]


def render(record: Record) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=record.title,
        creator="Budstikke",
    )
    width = A4[0] - 32 * mm
    story: list[Flowable] = [
        _p(record.title, H1),
        _p(
            _("GDPR Article 30(2). Generated %(when)s from the running system.")
            % {"when": date_format(localtime(record.generated_at), "DATETIME_FORMAT")}
        ),
        _p(_("1. Processor and controllers"), H2),
        _p(
            _("Processor: %(name)s (%(contact)s)")
            % {"name": record.processor, "contact": record.processor_contact}
        ),
    ]
    controllers = [
        [c.name, c.country, c.status, c.dpa_version or NONE, "; ".join(c.contacts) or NONE]
        for c in record.controllers
    ]
    story.append(
        _table(
            [_("Controller"), _("Country"), _("Status"), _("DPA version accepted"), _("Contact")],
            controllers,
            [w * width for w in (0.3, 0.1, 0.12, 0.16, 0.32)],
        )
    )
    story += [_p(_("2. Categories of processing"), H2), *_bullets(record.activities)]
    story += [_p(_("3. Categories of data subjects"), H2), *_bullets(record.subjects)]
    story += [
        _p(_("4. Categories of personal data"), H2),
        _p(", ".join(record.categories) or NONE),
    ]
    story += [
        _p(_("5. Retention"), H2),
        _table(
            [_("Data"), _("Categories"), _("Kept"), _("From"), _("Then"), _("Legal basis")],
            [
                [r.data, r.categories, r.period, r.starts, r.action, r.basis]
                for r in record.retention
            ],
            [w * width for w in (0.17, 0.19, 0.14, 0.17, 0.11, 0.22)],
        ),
    ]
    story += [
        _p(_("6. Sub-processors and transfers to third countries"), H2),
        _table(
            [_("Sub-processor"), _("Purpose"), _("Location"), _("Transfer basis"), _("Data")],
            [[t.name, t.purpose, t.location, t.basis, t.categories] for t in record.transfers]
            or [[_("None"), "", "", "", ""]],
            [w * width for w in (0.18, 0.26, 0.16, 0.22, 0.18)],
        ),
    ]
    story.append(_p(_("7. Technical and organisational security measures"), H2))
    for measure in record.measures:
        story += [_p(measure.title, HEAD), _p(measure.text), Spacer(1, 2 * mm)]
    doc.build(story)
    return out.getvalue()
