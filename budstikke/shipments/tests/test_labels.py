from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from budstikke.shipments import labels
from budstikke.shipments.actions import ParcelDraft
from budstikke.shipments.testing import make_shipment
from budstikke.tenants.testing import Personas

needs_tools = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
    reason="poppler-utils and zbar-tools are installed by `make setup`",
)


def _decode(pdf: bytes, tmp_path: Path) -> tuple[int, set[str]]:
    """Render every page at 300 dpi and read all barcodes: (pages, decoded values)."""
    source = tmp_path / "label.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "300", "-gray", "-png", str(source), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    found = subprocess.run(
        ["zbarimg", "--quiet", "--raw", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return len(pages), {line.strip() for line in found.stdout.splitlines() if line.strip()}


@needs_tools
def test_a6_label_barcode_decodes_to_the_tracking_number(
    personas: Personas, tmp_path: Path
) -> None:
    shipment = make_shipment(personas.tenant_a, cod_amount=None)
    pages, decoded = _decode(labels.pdf([shipment], size="a6"), tmp_path)
    assert pages == 1
    assert shipment.tracking_number in decoded
    assert f"https://localhost:8443/t/{shipment.tracking_number}" in decoded or any(
        value.endswith(f"/t/{shipment.tracking_number}") for value in decoded
    )


@needs_tools
def test_a4_sheet_holds_four_labels_per_page(personas: Personas, tmp_path: Path) -> None:
    shipment = make_shipment(personas.tenant_a, parcels=[ParcelDraft() for _n in range(5)])
    pages, decoded = _decode(labels.pdf([shipment], size="a4"), tmp_path)
    assert pages == 2
    assert shipment.tracking_number in decoded


def test_zpl_has_the_tracking_barcode_and_escapes_control_characters(
    personas: Personas,
) -> None:
    shipment = make_shipment(personas.tenant_a, recipient_name="Evil ^XZ~JA Name")
    text = labels.zpl([shipment])
    assert text.startswith("^XA")
    assert text.rstrip().endswith("^XZ")
    assert f"^BCN,200,Y,N,N^FD{shipment.tracking_number}^FS" in text
    assert "Evil _5EXZ_7EJA Name" in text
    assert text.count("^XA") == 1
