"""Excel workbooks: reading uploads safely (staff lists, monthly sheets), and the one way every workbook the
portal writes is made (``new_workbook``), which keeps people's text as text.

An upload is refused before it is parsed when it is too large, is not named .xlsx, is not a zip archive (a
renamed PDF, CSV, program or old .xls), or would unpack to far more than any real sheet: in all (a zip bomb), in
any one part (a sheet or the shared strings of tens of MB), or in the number of XML elements of a part or of
cells in a row (counted by a streaming scan of the unpacked bytes, which stops at the first limit passed). Rows
are read lazily, and reading stops as soon as a sheet holds more rows than the caller allows, blank rows
counted too, so a small file of millions of empty rows never ties up the server. Every failure is an
``XlsxFileError`` whose text is shown to the user.

A name, post or remark typed as ``=HYPERLINK(…)`` would be written by openpyxl as a live formula, run by
whoever opens the file; see "Writing" below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
import csv
from dataclasses import dataclass
import datetime
from decimal import Decimal
import io
import logging
from pathlib import PurePath
import re
import unicodedata
import zipfile
import zlib

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
import openpyxl
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "dd/mm/yyyy"
# A 5 MB .xlsx of 5,000 rows unpacks to a few MB; far more than this is a zip bomb, not a staff list.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Any one part (a sheet, the shared strings…): the portal's 5,000-row staff list or 1,000-row monthly sheet,
# remarks filled in, unpacks to 1–3 MB per part. openpyxl holds the shared strings in memory as a whole.
MAX_PART_BYTES = 16 * 1024 * 1024
# XML elements in any one part (a cell is one to three: <c>, <v>, <is><t>); those sheets hold under 150,000.
MAX_PART_ELEMENTS = 500_000
# Cells in one row (the last column read, too): the imports' sheets have a dozen columns; Excel 2003 had 256.
MAX_COLUMNS = 256
# Empty rows read past the caller's limit of filled rows before the sheet is refused as runaway.
MAX_BLANK_ROWS = 10_000
_SCAN_CHUNK = 1024 * 1024
# The start of a row or a cell element, whatever the namespace prefix (``<row …>``, ``<x:c …/>``).
_ROW_OR_CELL = re.compile(rb"<(?:[^\s<>/?!:]+:)?(row|c)[\s/>]")
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


def too_much_data_message() -> str:
    return _("The file holds far more data than an import reads. Copy only the rows to import into a new "
             "workbook (or the template), save it as .xlsx and upload that.")


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether one part stays within ``MAX_PART_ELEMENTS`` XML elements and ``MAX_COLUMNS`` cells per row.

    Streams the unpacked bytes (never the whole part in memory) and stops at the first limit passed. Counting
    ``<`` is exact for XML, where text cannot hold a bare ``<``; comments and CDATA can only make it count more.
    """
    elements = cells = 0
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(_SCAN_CHUNK):
            data = tail + chunk
            cut = data.rfind(b"<")  # an element may start at the end of the chunk: keep it for the next one
            if cut < 0 or len(data) - cut > 64:
                cut = len(data)
            data, tail = data[:cut], data[cut:]
            elements += data.count(b"<") - data.count(b"</") - data.count(b"<?") - data.count(b"<!")
            if elements > MAX_PART_ELEMENTS:
                return False
            for match in _ROW_OR_CELL.finditer(data):
                if match.group(1) == b"row":
                    cells = 0
                else:
                    cells += 1
                    if cells > MAX_COLUMNS:
                        return False
    return True


def _check_sizes(archive: zipfile.ZipFile, log_label: str, name: str) -> None:
    """Refuse an archive that unpacks to more than any real workbook, before openpyxl parses any of it.

    The sizes are those the archive declares: zipfile never unpacks a member past its declared size.
    """
    members = archive.infolist()
    if sum(info.file_size for info in members) > MAX_UNPACKED_BYTES:
        raise XlsxFileError(not_xlsx_message())
    for info in members:
        try:
            within = info.file_size <= MAX_PART_BYTES and _scan_part(archive, info)
        except RuntimeError:  # an encrypted member, or a compression zipfile does not know: never Excel's
            raise XlsxFileError(not_xlsx_message()) from None
        if not within:
            logger.info("%s: %r refused, its part %r holds too much (%s bytes unpacked)",
                        log_label, name, info.filename, info.file_size)
            raise XlsxFileError(too_much_data_message())


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
            _check_sizes(archive, log_label, upload.name)
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
    """The non-empty rows of a worksheet as (row number as Excel shows it, values), each cut after its last
    value and to ``MAX_COLUMNS`` columns.

    Stops with ``XlsxFileError(too_many)`` as soon as more than ``max_rows`` non-empty rows were read, and with
    a message about empty rows as soon as more than ``max_rows + MAX_BLANK_ROWS`` rows were walked, empty ones
    included (openpyxl yields one for every row number skipped too).
    """
    worksheet.reset_dimensions()  # the size recorded in the file may be wrong: read what is really there
    max_walked = max_rows + MAX_BLANK_ROWS
    rows = []
    for number, values in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
        if number > max_walked:
            raise XlsxFileError(
                _("The sheet goes on past row %(limit)s, empty rows included. Delete the empty rows below the data "
                  "(or copy the data into a new workbook) and upload the file again.") % {"limit": max_walked}
            )
        if values.count(None) == len(values) or not any(cell_text(value) for value in values):
            continue
        end = len(values)
        while values[end - 1] is None:
            end -= 1
        rows.append((number, values[:end]))
        if len(rows) > max_rows:
            raise XlsxFileError(too_many)
    return rows


# --- Writing --------------------------------------------------------------------------------------------
#
# Every workbook the portal writes comes from ``new_workbook``: its sheets keep every piece of text a text
# cell, whatever it starts with, so nothing a person typed (a name, a post, a remark, a citizen's feedback)
# ever becomes a formula that runs when district or city staff open the file. Text that a spreadsheet would
# take for a formula when typed (``=``, ``+``, ``-``, ``@``, a tab, a carriage return) is also marked "quote
# prefix", Excel's own mark for text typed after an apostrophe, so editing the cell keeps it text; the file
# still holds the text exactly as typed. A formula the portal means to write is a ``Formula``, never a str.
#
# Write-only sheets check each value as it is appended (one type check a cell: the streamed exports stay as
# fast as openpyxl); ordinary sheets turn any formula they were not given as a ``Formula`` back into text when
# the workbook is saved.

# The first characters that make a spreadsheet read text as a formula (or a DDE command).
FORMULA_STARTS = frozenset("=+-@\t\r")
# The first characters of text that gets a cell of its own: a formula look-alike (quote prefix) or an error
# value such as "#N/A", which openpyxl would otherwise write as a formula or an error.
_NOT_PLAIN = FORMULA_STARTS | {"#"}


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula the portal writes on purpose, such as ``Formula("=SUM(D3:F3)")``; only this is ever written
    as one (append it to a sheet of ``new_workbook``, or pass it to ``sheet.cell(row, column, Formula(…))``)."""

    text: str

    def __post_init__(self):
        if not self.text.startswith("=") or len(self.text) < 2:
            raise ValueError(f"A formula starts with '=': {self.text!r}")


def _keep_text(cell) -> None:
    """Store a text cell's value as text, exactly as it is, and mark text that looks like a formula."""
    cell.data_type = "s"
    if cell.value[:1] in FORMULA_STARTS:
        cell.quotePrefix = True


def _streamed(sheet, value):
    """``value`` as a write-only sheet should get it: text that would read as a formula or an error value becomes a
    text cell, a ``Formula`` a formula cell; anything else (plain text, numbers, dates, ready-made cells) as is."""
    if isinstance(value, str):
        if value[:1] not in _NOT_PLAIN:
            return value
        cell = WriteOnlyCell(sheet, value=value)
        _keep_text(cell)
        return cell
    if isinstance(value, Formula):
        return WriteOnlyCell(sheet, value=value.text)
    if isinstance(value, Cell) and isinstance(value.value, str) and value.value[:1] in _NOT_PLAIN:
        _keep_text(value)
    return value


class _WriteOnlySheet(WriteOnlyWorksheet):
    """A streamed sheet whose appended text is always text, given as a value or as a ready-made cell."""

    def append(self, row):
        super().append([_streamed(self, value) for value in row])


class _Sheet(Worksheet):
    """An ordinary sheet that remembers the formulas it was given as ``Formula``; any other formula is text."""

    def __init__(self, parent, title=None):
        super().__init__(parent, title)
        self.formulas: dict[tuple[int, int], str] = {}  # (row, column) → the formula the portal wrote there

    def cell(self, row, column, value=None):
        if isinstance(value, Formula):
            cell = super().cell(row, column, value.text)
            self.formulas[row, column] = value.text
            return cell
        return super().cell(row, column, value)

    def append(self, iterable):
        if isinstance(iterable, dict):
            return super().append(iterable)
        values = list(iterable)
        super().append([value.text if isinstance(value, Formula) else value for value in values])
        for column, value in enumerate(values, start=1):
            if isinstance(value, Formula):
                self.formulas[self._current_row, column] = value.text

    def keep_text(self) -> None:
        """Turn every formula not written as a ``Formula`` (or since overwritten) into text, before saving."""
        for (row, column), cell in self._cells.items():
            value = cell.value
            if not isinstance(value, str):
                continue
            if (cell.data_type == "f" and self.formulas.get((row, column)) != value) or cell.data_type == "e":
                _keep_text(cell)
            elif cell.data_type == "s" and value[:1] in FORMULA_STARTS:
                cell.quotePrefix = True


class _Workbook(Workbook):
    def __init__(self, *, write_only: bool):
        super().__init__(write_only=write_only)
        if not write_only:
            self._sheets = [_Sheet(self)]

    def create_sheet(self, title=None, index=None):
        sheet = (_WriteOnlySheet if self.write_only else _Sheet)(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        return sheet

    def save(self, filename):
        for sheet in self._sheets:
            if isinstance(sheet, _Sheet):
                sheet.keep_text()
        super().save(filename)


def new_workbook(*, write_only: bool = False) -> Workbook:
    """A new openpyxl workbook whose sheets write text as text (see "Writing" above): the only way the portal
    makes a workbook. ``write_only`` streams rows to the file as they are appended (large exports)."""
    return _Workbook(write_only=write_only)


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


# --- Streamed tables: large exports as .xlsx (XlsxWriter) or .csv ------------------------------------------
#
# The large exports (reports.exports, the pledge roster, the inspections export) describe their sheets as
# columns and a lazy iterable of rows read from the database in chunks, and hand them to ``write_table``. An
# .xlsx is written by XlsxWriter in ``constant_memory`` mode (one row in memory at a time, strings inline; twice
# as fast as openpyxl's write-only mode); a .csv by the csv module. Either way nothing a person typed becomes a
# formula:
# - .xlsx: every str goes through ``write_string`` (never ``write()``, which could read it as a formula, a URL or
#   a number; the workbook is also opened with ``strings_to_formulas``, ``strings_to_urls`` and
#   ``strings_to_numbers`` off), and text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
#   gets the "quote prefix" style, as in ``new_workbook``'s sheets. Only a ``Formula`` is written as a formula.
# - .csv: a spreadsheet reads every field of a CSV as if typed, so such text is written with an apostrophe in
#   front (``'=1+1``), as OWASP recommends against CSV injection: Excel and LibreOffice then show it as text
#   (the apostrophe stays visible in the cell). Always an apostrophe, never a tab, in every CSV the portal
#   writes. The file is UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly, with ``,`` between
#   fields and CRLF line ends; dates and times as the workbook shows them (dd/mm/yyyy, mm/yyyy for a month
#   column, dd/mm/yyyy hh:mm), numbers with a ``.`` before decimals. A table of several sheets (the inspections
#   export) holds them one after the other, each introduced by a line with its name and separated by an empty
#   line.

XLSX = "xlsx"
CSV = "csv"
TABLE_FORMATS = (XLSX, CSV)
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
CONTENT_TYPES = {XLSX: XLSX_CONTENT_TYPE, CSV: CSV_CONTENT_TYPE}
CSV_BOM = "\ufeff"
# The text put before formula-like text in a CSV (OWASP's advice against CSV injection).
CSV_TEXT_PREFIX = "'"
HEADER_FILL = "#DDE6F0"
# Excel's number formats of dates and times, as strftime patterns for CSV.
_CSV_DATE_PATTERNS = {
    "dd/mm/yyyy": "%d/%m/%Y",
    "mm/yyyy": "%m/%Y",
    "dd/mm/yyyy hh:mm": "%d/%m/%Y %H:%M",
}
_CSV_AS_IS = frozenset({int, float, Decimal, type(None)})  # what csv.writer writes right by itself
_STREAM_CHUNK = 500  # CSV rows per piece of a streamed response
# Excel refuses these characters in a sheet name, and names longer than 31 characters.
_SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


@dataclass(frozen=True)
class Column:
    """A column of a streamed table: its header, width in characters, and Excel number format (``"0.0"``,
    ``"dd/mm/yyyy"``…; also the pattern of dates in CSV)."""

    header: str
    width: int
    number_format: str | None = None


@dataclass
class SheetSource:
    """One sheet to write: its name, its columns and its rows (an iterable read lazily, never a list).

    ``heading`` is an optional bold line above the headers (the workbook only). ``written`` counts the data rows
    once the sheet is written."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    heading: str | None = None
    written: int = 0


def sheet_name(title: str) -> str:
    """``title`` as Excel accepts a sheet name (no ``[]:*?/\\``, at most 31 characters, not empty)."""
    return str(title).translate(_SHEET_NAME_FORBIDDEN).strip("' ")[:31] or "Dữ liệu"


def table_filename(stem: str, file_format: str) -> str:
    return f"{stem}.{CSV if file_format == CSV else XLSX}"


def write_table(target, sheets: Iterable[SheetSource], *, file_format: str = XLSX,
                on_progress: Callable[[int], None] | None = None, every: int = 2000) -> int:
    """Write ``sheets`` to ``target`` (a path or a binary file) as ``file_format`` (``XLSX`` or ``CSV``); return the
    number of data rows written. ``on_progress(rows so far)`` is called every ``every`` rows."""
    if file_format == CSV:
        return write_csv(target, sheets, on_progress=on_progress, every=every)
    if file_format != XLSX:
        raise ValueError(f"unknown table format {file_format!r}")
    return write_xlsx(target, sheets, on_progress=on_progress, every=every)


# .xlsx

class _StreamedSheet:
    """A constant-memory XlsxWriter sheet taking rows of plain values, each cell written by its type."""

    def __init__(self, workbook: StreamedWorkbook, title: str, columns: Sequence[Column], heading: str | None):
        self.sheet = workbook.book.add_worksheet(sheet_name(title))
        self.row = 0
        book = workbook
        self._formats = [book.number_format(column.number_format) for column in columns]
        for index, column in enumerate(columns):
            self.sheet.set_column(index, index, column.width)
        if heading:
            quoted = heading[:1] in FORMULA_STARTS
            self.sheet.write_string(0, 0, heading, book.heading_quoted_format if quoted else book.heading_format)
            self.row = 1
        header_format = book.header_format
        for index, column in enumerate(columns):
            header = str(column.header)
            self.sheet.write_string(self.row, index, header,
                                    book.header_quoted_format if header[:1] in FORMULA_STARTS else header_format)
        self.row += 1
        self.sheet.freeze_panes(self.row, 0)
        self._quoted = book.quoted_format
        self._date = book.number_format(DATE_FORMAT)
        self._datetime = book.number_format("dd/mm/yyyy hh:mm")

    def append(self, values: Sequence) -> None:
        # The innermost loop of every large export: XlsxWriter's undecorated writers (the public ones only turn
        # "A1" references into numbers), the type checked once per cell.
        sheet, row, formats = self.sheet, self.row, self._formats
        for column, value in enumerate(values):
            if value is None:
                continue
            kind = value.__class__
            if kind is str:
                if value[:1] in FORMULA_STARTS:
                    sheet._write_string(row, column, value, self._quoted)
                elif value:
                    sheet._write_string(row, column, value, formats[column])
            elif kind is int or kind is float:
                sheet._write_number(row, column, value, formats[column])
            elif kind is datetime.date:
                sheet._write_datetime(row, column, value, formats[column] or self._date)
            elif kind is datetime.datetime:
                sheet._write_datetime(row, column, value, formats[column] or self._datetime)
            elif kind is Decimal:
                sheet._write_number(row, column, float(value), formats[column])
            elif kind is bool:
                sheet._write_boolean(row, column, value, formats[column])
            elif kind is Formula:
                sheet.write_formula(row, column, value.text, formats[column])
            else:  # a lazy translation, a subclass of str or int…: its text, never read as a formula
                text = str(value)
                sheet._write_string(row, column, text, self._quoted if text[:1] in FORMULA_STARTS else formats[column])
        self.row = row + 1


class StreamedWorkbook:
    """An .xlsx written by XlsxWriter in ``constant_memory`` mode: rows go to a temporary file as they come, and
    text is only ever text (see above). Use ``sheet()`` for each sheet in turn, then ``close()``."""

    def __init__(self, target):
        import xlsxwriter  # only the large exports need it

        if isinstance(target, PurePath):
            target = str(target)
        self.book = xlsxwriter.Workbook(target, {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": DATE_FORMAT,
        })
        self.header_format = self.book.add_format(
            {"bold": True, "bg_color": HEADER_FILL, "pattern": 1, "valign": "vcenter", "text_wrap": True}
        )
        header = {"bold": True, "bg_color": HEADER_FILL, "pattern": 1, "valign": "vcenter", "text_wrap": True}
        self.header_quoted_format = self.book.add_format({**header, "quote_prefix": True})
        self.heading_format = self.book.add_format({"bold": True, "font_size": 13})
        self.heading_quoted_format = self.book.add_format({"bold": True, "font_size": 13, "quote_prefix": True})
        self.quoted_format = self.book.add_format({"quote_prefix": True})
        self._number_formats: dict[str, object] = {}

    def number_format(self, number_format: str | None):
        if not number_format:
            return None
        if number_format not in self._number_formats:
            self._number_formats[number_format] = self.book.add_format({"num_format": number_format})
        return self._number_formats[number_format]

    def sheet(self, title: str, columns: Sequence[Column], *, heading: str | None = None) -> _StreamedSheet:
        return _StreamedSheet(self, title, columns, heading)

    def close(self) -> None:
        if not self.book.worksheets():  # a workbook needs a sheet, even when an export had nothing to say
            self.book.add_worksheet("Dữ liệu")
        self.book.close()


def write_xlsx(target, sheets: Iterable[SheetSource], *, on_progress: Callable[[int], None] | None = None,
               every: int = 2000) -> int:
    """``sheets`` as an .xlsx: a bold, shaded header row that stays visible when scrolling (frozen), the columns'
    widths and number formats; the rows straight from the iterables to the file. Returns the data rows written."""
    workbook = StreamedWorkbook(target)
    written = 0
    try:
        for source in sheets:
            sheet = workbook.sheet(source.title, source.columns, heading=source.heading)
            append = sheet.append
            for values in source.rows:
                append(values)
                source.written += 1
                written += 1
                if on_progress is not None and written % every == 0:
                    on_progress(written)
    finally:
        workbook.close()
    return written


# .csv

def csv_field(value, number_format: str | None = None):
    """One value as a CSV field: formula-like text after an apostrophe, dates as the column's format shows them,
    numbers as they are, nothing for None."""
    kind = value.__class__
    if kind is str:
        return CSV_TEXT_PREFIX + value if value[:1] in FORMULA_STARTS else value
    if value is None:
        return ""
    if kind is int or kind is float or kind is Decimal:
        return value
    if kind is datetime.date or kind is datetime.datetime:
        pattern = _CSV_DATE_PATTERNS.get(number_format or "")
        if pattern is None:
            pattern = "%d/%m/%Y %H:%M" if kind is datetime.datetime else "%d/%m/%Y"
        return value.strftime(pattern)
    if kind is Formula:
        raise TypeError("a CSV file holds no formulas")
    if isinstance(value, bool | int | float):
        return value
    text = str(value)  # a lazy translation, a subclass of str…
    return CSV_TEXT_PREFIX + text if text[:1] in FORMULA_STARTS else text


def _csv_records(sheets: Iterable[SheetSource], on_row: Callable[[], None] | None = None) -> Iterator[list]:
    """The records of the file: for each sheet its headers and rows (several sheets: a name line first, an empty
    line between them)."""
    sheets = list(sheets)
    several = len(sheets) > 1
    for index, source in enumerate(sheets):
        if several:
            if index:
                yield []
            yield [csv_field(str(source.title))]
        yield [csv_field(str(column.header)) for column in source.columns]
        formats = [column.number_format for column in source.columns]
        for values in source.rows:
            # One comprehension a row: text checked for a formula-like start, numbers and None (an empty field) as
            # they are, anything else (dates) through csv_field.
            record = [
                (CSV_TEXT_PREFIX + value if value[:1] in FORMULA_STARTS else value) if value.__class__ is str
                else value if value.__class__ in _CSV_AS_IS else csv_field(value, number_format)
                for value, number_format in zip(values, formats, strict=True)
            ]
            source.written += 1
            if on_row is not None:
                on_row()
            yield record


def write_csv(target, sheets: Iterable[SheetSource], *, on_progress: Callable[[int], None] | None = None,
              every: int = 2000) -> int:
    """``sheets`` as a UTF-8 CSV with a byte-order mark (see above); returns the data rows written."""
    written = 0

    def counted():
        nonlocal written
        written += 1
        if on_progress is not None and written % every == 0:
            on_progress(written)

    if isinstance(target, str | PurePath):
        with open(target, "w", encoding="utf-8", newline="") as handle:
            handle.write(CSV_BOM)
            csv.writer(handle).writerows(_csv_records(sheets, counted))
    else:
        handle = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
        try:
            handle.write(CSV_BOM)
            csv.writer(handle).writerows(_csv_records(sheets, counted))
            handle.flush()
        finally:
            handle.detach()  # the caller keeps its binary file open
    return written


class _Echo:
    """A file whose ``write`` hands back what it was given: ``csv.writer`` then returns each formatted line."""

    def write(self, text: str) -> str:
        return text


def csv_stream(sheets: Iterable[SheetSource]) -> Iterator[bytes]:
    """``sheets`` as the pieces of a streamed CSV response (``StreamingHttpResponse``): the byte-order mark, then
    a few hundred rows a piece, read from the database as the client downloads."""
    writer = csv.writer(_Echo())
    yield CSV_BOM.encode()
    lines = []
    for record in _csv_records(sheets):
        lines.append(writer.writerow(record))
        if len(lines) >= _STREAM_CHUNK:
            yield "".join(lines).encode()
            lines = []
    if lines:
        yield "".join(lines).encode()


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """A streamed CSV download of one table (``header``, then ``rows``) named ``filename`` (with its ``.csv``),
    written by ``csv_stream``: UTF-8 with a byte-order mark, formula-like text neutralised."""
    sheet = SheetSource(title=filename, columns=[Column(str(name), 12) for name in header], rows=rows)
    response = StreamingHttpResponse(csv_stream([sheet]), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
