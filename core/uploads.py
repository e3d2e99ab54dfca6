"""Checks that an uploaded file really is what its name claims, before anything is saved.

A renamed program ("scan.pdf" that is an .exe) must be refused: the checks read the content, never trust the
name or the browser's content type.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Decompression bombs: an image past this many pixels is refused before it is decoded.
MAX_IMAGE_PIXELS = 40_000_000


def _size_check(upload, max_bytes: int) -> None:
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is larger than %(limit)s MB.") % {"limit": max_bytes // (1024 * 1024)}, code="too_large"
        )


def _looks_like_pdf(upload) -> bool:
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(max(0, upload.size - 2048))
    tail = upload.read()
    upload.seek(0)
    return head.lstrip().startswith(b"%PDF-") and b"%%EOF" in tail


def image_format(upload) -> str | None:
    """The verified image format (JPEG, PNG, WEBP), or None when the content is not such an image."""
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format not in IMAGE_FORMATS or image.width * image.height > MAX_IMAGE_PIXELS:
                return None
            image.verify()
            return image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        upload.seek(0)


def validate_image(upload, *, max_bytes: int) -> str:
    """Refuse anything but a real JPEG, PNG or WebP image under ``max_bytes``; return the file extension."""
    _size_check(upload, max_bytes)
    found = image_format(upload)
    if found is None:
        raise ValidationError(_("The file is not a JPEG, PNG or WebP image."), code="not_image")
    return IMAGE_FORMATS[found]


def validate_scan(upload, *, max_bytes: int) -> str:
    """Refuse anything but a real PDF or image under ``max_bytes``; return the extension to store it with."""
    _size_check(upload, max_bytes)
    if _looks_like_pdf(upload):
        return "pdf"
    found = image_format(upload)
    if found is None:
        raise ValidationError(_("The file is neither a PDF nor an image (JPEG, PNG, WebP)."), code="not_scan")
    return IMAGE_FORMATS[found]
