"""Reading uploaded Excel workbooks safely, for every import of the portal (staff lists, monthly sheets).

An upload is refused before it is parsed when it is too large, is not named .xlsx, is not a zip archive (a
renamed PDF, CSV, program or old .xls), or would unpack to far more than any real sheet (a zip bomb). Rows
are read lazily, and reading stops as soon as a sheet holds more rows than the caller allows, so a huge
sheet never ties up the server. Every failure is an ``XlsxFileError`` whose text is shown to the user.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
import io
import logging
import unicodedata
import zipfile
import zlib

from django.utils.translation import gettext as _
import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "dd/mm/yyyy"
# A 5 MB .xlsx of 5,000 rows unpacks to a few MB; far more than this is a zip bomb, not a staff list.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# What zipfile and openpyxl raise on a damaged file or one that is not a workbook (bad XML is a SyntaxError).
UNREADABLE = (zipfile.BadZipFile, zlib.error, InvalidFileException, KeyError, IndexError, OSError, ValueError,
              TypeError, SyntaxError, EOFError)


class XlsxFileError(Exception):
    """The file as a whole cannot be imported; the argument is the message shown to the user."""


@dataclass
class RowError:
    """The problems of one row, numbered as Excel shows it."""

    row: int
    messages: list[str]


def cell_text(value) -> str:
    """A cell as trimmed text. Excel makes a code typed as 1234 the number 1234.0; text pasted from a PDF or
    a Mac may carry decomposed accents, which look the same but do not compare the same."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def not_xlsx_message() -> str:
    return _("The file is not a valid Excel file. Open it in Excel and save it as “Excel Workbook (.xlsx)”.")


@contextmanager
def open_xlsx(upload, *, max_bytes: int, log_label: str = "Excel upload") -> Iterator:
    """The uploaded workbook, opened read-only with the values Excel last computed.

    Raises ``XlsxFileError`` when the file is too large, not an .xlsx, a zip bomb, or unreadable, also while
    its rows are being read inside the ``with`` block (a read-only workbook parses lazily). Keep that block
    to reading cells: the errors a damaged file raises are ordinary ones (``KeyError``, ``ValueError``…).
    """
    if upload.size > max_bytes:
        raise XlsxFileError(_("The file is larger than %(limit)s MB.") % {"limit": max_bytes // 2**20})
    if not (upload.name or "").lower().endswith(".xlsx"):
        raise XlsxFileError(_("Only Excel files (.xlsx) can be imported."))
    upload.seek(0)
    content = upload.read()
    if not content.startswith(b"PK\x03\x04"):  # an .xlsx is a zip archive: PDFs, CSVs and old .xls stop here
        raise XlsxFileError(not_xlsx_message())
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise XlsxFileError(not_xlsx_message())
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except UNREADABLE:
        logger.info("%s: unreadable file %r", log_label, upload.name, exc_info=True)
        raise XlsxFileError(not_xlsx_message()) from None
    try:
        yield workbook
    except UNREADABLE:
        logger.info("%s: unreadable file %r", log_label, upload.name, exc_info=True)
        raise XlsxFileError(not_xlsx_message()) from None
    finally:
        workbook.close()


def sheet_rows(worksheet, *, max_rows: int, too_many: str) -> list[tuple[int, tuple]]:
    """The non-empty rows of a worksheet as (row number as Excel shows it, values).

    Stops with ``XlsxFileError(too_many)`` as soon as more than ``max_rows`` non-empty rows were read.
    """
    worksheet.reset_dimensions()  # the size recorded in the file may be wrong: read what is really there
    rows = []
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if any(cell_text(value) for value in values):
            rows.append((number, values))
            if len(rows) > max_rows:
                raise XlsxFileError(too_many)
    return rows


# --- Writing --------------------------------------------------------------------------------------------


def header_cell(sheet, value: str) -> WriteOnlyCell:
    """A bold, shaded, wrapping header cell for a write-only sheet."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor="DDE6F0")
    cell.alignment = Alignment(vertical="center", wrap_text=True)
    return cell


def date_cell(sheet, day) -> WriteOnlyCell:
    # A real date (not text), so the sheet can be sorted and filtered by it.
    cell = WriteOnlyCell(sheet, value=day)
    cell.number_format = DATE_FORMAT
    return cell
