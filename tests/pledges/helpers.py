"""Helpers of the pledges tests: files as officers upload them, and the figures the coverage table shows."""

import io
import re

from PIL import Image

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode." * 20


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def row_numbers(html: str, public_code: str) -> tuple[int, int]:
    """(signed, expected) of one unit's row in the coverage table."""
    match = re.search(rf'data-unit="{re.escape(public_code)}" data-signed="(\d+)" data-expected="(\d+)"', html)
    assert match, f"no coverage row for {public_code}"
    return int(match[1]), int(match[2])


def total_numbers(html: str) -> tuple[int, int]:
    match = re.search(r'data-testid="coverage-total" data-signed="(\d+)" data-expected="(\d+)"', html)
    assert match, "no coverage total"
    return int(match[1]), int(match[2])
