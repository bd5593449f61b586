"""Checks on what a courier's phone sends as proof of delivery: a drawn signature (PNG data
URL), a photo (JPEG, PNG or WebP upload) and a position. Images are opened with Pillow, so a
file that only claims to be an image is refused before anything is stored."""

from __future__ import annotations

import base64
import binascii
import io
import math
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

SIGNATURE_PREFIX = "data:image/png;base64,"
MAX_SIGNATURE_BYTES = 512 * 1024
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class ProofError(ValueError):
    """Proof the courier can fix (message for people)."""


@dataclass(frozen=True)
class Photo:
    content: bytes
    content_type: str


def _image_format(content: bytes) -> str:
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ProofError(_("The image is too large."))
            image.verify()
            return str(image.format or "")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ProofError(_("The image could not be read.")) from None


def signature(data_url: str) -> bytes | None:
    """The PNG bytes of a drawn signature, or None when none was drawn."""
    data_url = data_url.strip()
    if not data_url:
        return None
    if not data_url.startswith(SIGNATURE_PREFIX):
        raise ProofError(_("The signature must be a PNG image."))
    if len(data_url) > MAX_SIGNATURE_BYTES * 4 // 3 + len(SIGNATURE_PREFIX) + 4:
        raise ProofError(_("The signature is too large."))
    try:
        content = base64.b64decode(data_url[len(SIGNATURE_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ProofError(_("The signature could not be read.")) from None
    if _image_format(content) != "PNG":
        raise ProofError(_("The signature must be a PNG image."))
    return content


def photo(upload: UploadedFile[Any] | None) -> Photo | None:
    if upload is None:
        return None
    if upload.size is None or upload.size > MAX_PHOTO_BYTES:
        raise ProofError(
            _("The photo is larger than %(mb)s MB.") % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)}
        )
    content = upload.read(MAX_PHOTO_BYTES + 1)
    if len(content) > MAX_PHOTO_BYTES:
        raise ProofError(
            _("The photo is larger than %(mb)s MB.") % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)}
        )
    kind = _image_format(content)
    if kind not in PHOTO_TYPES:
        raise ProofError(_("The photo must be a JPEG, PNG or WebP image."))
    return Photo(content=content, content_type=PHOTO_TYPES[kind])


def position(data: Any) -> dict[str, float] | None:
    """{"lat", "lon", "accuracy"} from the form's hidden fields, or None (no consent given,
    or the phone had no fix). Nonsense coordinates are an error, not silently dropped."""
    lat_text = str(data.get("lat", "")).strip()
    lon_text = str(data.get("lon", "")).strip()
    if not lat_text and not lon_text:
        return None
    try:
        lat, lon = float(lat_text), float(lon_text)
        accuracy_text = str(data.get("accuracy", "")).strip()
        accuracy = float(accuracy_text) if accuracy_text else None
    except ValueError:
        raise ProofError(_("The position could not be read.")) from None
    numbers = [lat, lon, *([accuracy] if accuracy is not None else [])]
    if not all(math.isfinite(n) for n in numbers) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ProofError(_("The position could not be read."))
    found: dict[str, float] = {"lat": round(lat, 6), "lon": round(lon, 6)}
    if accuracy is not None and accuracy >= 0:
        found["accuracy"] = round(accuracy, 1)
    return found
