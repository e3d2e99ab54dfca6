"""Excel exports for administrators and district offices: what was asked (``ExportRequest``) and the streaming
writer every kind of export shares (``write_workbook``).

A kind of export (``reports.exports.kinds``) describes its sheets as columns and a lazy iterable of rows read
from the database in chunks; ``write_workbook`` hands them to openpyxl in write-only mode, which writes each
row out as it comes. Neither side keeps rows, so memory stays flat whatever the size of the export. The files
are for Vietnamese offices: headers and labels are Vietnamese whatever the page's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
import datetime

from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from core.xlsx import header_cell, new_workbook
from pledges.models import PledgeCampaign
from reports.choices import ExportKind

# Rows read per round trip to the database, and between two progress reports.
CHUNK_SIZE = 2000

DATE = "dd/mm/yyyy"
DATETIME = "dd/mm/yyyy hh:mm"
MONTH = "mm/yyyy"
POINTS = "0.0"
INTEGER = "0"

# Excel refuses these characters in a sheet name, and names longer than 31 characters.
_SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


@dataclass(frozen=True)
class Column:
    """A column of an exported sheet: its Vietnamese header, width in characters, and Excel number format."""

    header: str
    width: int
    number_format: str | None = None


@dataclass
class SheetSource:
    """One sheet to write: its name, its columns and its rows (an iterable read lazily, never a list)."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]


@dataclass(frozen=True)
class ExportRequest:
    """What a user asked to export: a kind, a unit (its whole subtree) and a period.

    Ratings take a range of months (``start`` and ``end`` are first days of months), feedback and inspections
    a range of days, the pledge roster a campaign. ``parameters()`` is what an ``ExportJob`` records, and
    ``from_parameters`` reads it back in the worker."""

    kind: str
    unit: object
    start: datetime.date | None = None
    end: datetime.date | None = None
    campaign: object | None = None

    def parameters(self) -> dict:
        return {
            "kind": self.kind,
            "unit": self.unit.pk,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "campaign": self.campaign.pk if self.campaign is not None else None,
            "period": self.period_label,
            "filename": self.filename(),
        }

    @classmethod
    def from_parameters(cls, *, kind: str, unit, parameters: dict) -> ExportRequest:
        def day(value):
            return datetime.date.fromisoformat(value) if value else None

        campaign_id = parameters.get("campaign")
        return cls(
            kind=kind,
            unit=unit,
            start=day(parameters.get("start")),
            end=day(parameters.get("end")),
            campaign=PledgeCampaign.objects.get(pk=campaign_id) if campaign_id else None,
        )

    @property
    def period_label(self) -> str:
        """The period as offices write it: "01/2026–12/2026", "01/03/2026–31/03/2026" or the campaign's title."""
        if self.kind == ExportKind.PLEDGES:
            return str(self.campaign.title) if self.campaign is not None else ""
        if self.start is None or self.end is None:
            return ""
        pattern = "%m/%Y" if self.kind == ExportKind.RATINGS else "%d/%m/%Y"
        return f"{self.start.strftime(pattern)}–{self.end.strftime(pattern)}"

    def filename(self) -> str:
        """``danh-gia-xep-loai-<unit>-<period>.xlsx`` and the like (ASCII, so every browser keeps it)."""
        stem = {
            ExportKind.RATINGS: "danh-gia-xep-loai",
            ExportKind.FEEDBACK: "so-phan-anh",
            ExportKind.PLEDGES: "danh-sach-ky-cam-ket",
            ExportKind.INSPECTIONS: "kiem-tra-cong-vu",
        }.get(self.kind, "xuat-du-lieu")
        if self.kind == ExportKind.PLEDGES and self.campaign is not None:
            period = f"{self.campaign.year}-{self.campaign.pk}"
        elif self.start and self.end:
            pattern = "%Y%m" if self.kind == ExportKind.RATINGS else "%Y%m%d"
            period = f"{self.start.strftime(pattern)}-{self.end.strftime(pattern)}"
        else:
            period = timezone.localdate().strftime("%Y%m%d")
        return f"{stem}-{self.unit.public_code}-{period}.xlsx"


def sheet_name(title: str) -> str:
    return str(title).translate(_SHEET_NAME_FORBIDDEN).strip("' ")[:31] or "Dữ liệu"


def local_naive(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Excel has no time zones: a moment as Hanoi's wall-clock time, without tzinfo."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None)


def _column_styles(sheet, columns: Sequence[Column]) -> list:
    """Each column's cell style, built once: setting ``number_format`` cell by cell cost a tenth of an export."""
    styles = []
    for column in columns:
        if column.number_format:
            template = WriteOnlyCell(sheet)
            template.number_format = column.number_format
            styles.append(template._style)
        else:
            styles.append(None)
    return styles


def _cells(sheet, styles: Sequence, values: Sequence) -> list:
    row = []
    for style, value in zip(styles, values, strict=True):
        if style is not None and value is not None and not isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell._style = style  # shared, never changed afterwards
            row.append(cell)
        else:
            row.append(value)
    return row


def write_workbook(
    target, sheets: Iterable[SheetSource], *, on_progress: Callable[[int], None] | None = None, every: int | None = None
) -> int:
    """Write ``sheets`` to ``target`` (a path or a binary file) and return the number of data rows written.

    Each sheet gets a bold header row that stays visible when scrolling (frozen), the column widths, and the
    number or date format of each column. Rows go straight from the iterable to the file (openpyxl's
    write-only mode, inline strings): nothing is kept. ``on_progress(rows written so far)`` is called every
    ``every`` rows (a chunk, by default).
    """
    every = every or CHUNK_SIZE
    workbook = new_workbook(write_only=True)  # text people typed stays text, whatever it starts with
    written = 0
    for source in sheets:
        sheet = workbook.create_sheet(sheet_name(source.title))
        for index, column in enumerate(source.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        sheet.append([header_cell(sheet, column.header) for column in source.columns])
        styles = _column_styles(sheet, source.columns)
        for values in source.rows:
            sheet.append(_cells(sheet, styles, values))
            written += 1
            if on_progress is not None and written % every == 0:
                on_progress(written)
    if not workbook.worksheets:  # a workbook needs a sheet, even when a kind had nothing to say
        workbook.create_sheet("Dữ liệu")
    workbook.save(target)
    return written
