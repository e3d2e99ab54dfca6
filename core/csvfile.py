"""CSV downloads: the one way the portal writes a CSV file.

UTF-8 with a byte-order mark, so Excel opens Vietnamese text correctly; text a spreadsheet would take for a
formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: ``core.xlsx.FORMULA_STARTS``) gets
a leading apostrophe, so a name typed as ``=HYPERLINK(…)`` is shown, never run. Numbers are written as they are
(a negative number is a number, not a formula).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
import csv

from django.http import HttpResponse

from core.xlsx import FORMULA_STARTS

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"


def csv_cell(value) -> str | int | float:
    """A value as a CSV cell: ``None`` empty, text neutralised against formula injection, numbers as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """A CSV download of ``header`` and ``rows`` named ``filename`` (ASCII, with its ``.csv``)."""
    response = HttpResponse(content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(BOM)
    writer = csv.writer(response)
    writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response
