"""Reading a QR code that segno drew as SVG, the way a phone's camera would: rasterised, then decoded by zxing.

segno draws one path of horizontal strokes, one module thick, through the middle of each row of modules
(``M``/``m`` moves, ``h``/``H`` runs), in module units.
"""

import re

from PIL import Image, ImageDraw
import zxingcpp

PATH_DATA = re.compile(r'<path[^>]* d="([^"]+)"')
_COMMAND = re.compile(r"([MmHh])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?")


def qr_text(path_data: str, *, width: int, height: int, pixels: int = 6) -> str:
    """The text of the QR code whose path data is ``path_data`` on a ``width`` × ``height`` module grid."""
    image = Image.new("L", (width * pixels, height * pixels), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, first, second in _COMMAND.findall(path_data):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            run = float(first) if command == "h" else float(first) - x
            row = int(y)  # the stroke runs through the middle of its row (y = row + 0.5)
            draw.rectangle([x * pixels, row * pixels, (x + run) * pixels - 1, (row + 1) * pixels - 1], fill=0)
            x += run
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, "the QR code does not decode"
    return results[0].text
