"""Helpers of the public feedback tests: an image as a phone sends it, the form's one-time token."""

import io
import re

from PIL import Image


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def form_token(response) -> str:
    match = re.search(r'name="submission_token" value="([0-9a-f]{32})"', response.content.decode())
    assert match, "no submission token in the form"
    return match[1]
