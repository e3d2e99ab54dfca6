"""Exports for administrators and district offices: what was asked (``ExportRequest``) and the streaming
writer every kind of export shares (``write_workbook``, in ``core.xlsx``: .xlsx or .csv).

A kind of export (``reports.exports.kinds``) describes its sheets as columns and a lazy iterable of rows read
from the database in chunks; ``core.xlsx.write_table`` hands them to XlsxWriter in constant-memory mode (or to the
csv module), which writes each row out as it comes. Neither side keeps rows, so memory stays flat whatever the
size of the export. The files are for Vietnamese offices: headers and labels are Vietnamese whatever the page's
language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
import datetime

from django.utils import timezone

from core.xlsx import CSV, XLSX, Column, SheetSource, sheet_name, table_filename, write_table
from pledges.models import PledgeCampaign
from reports.choices import ExportKind

# Rows read per round trip to the database, and between two progress reports.
CHUNK_SIZE = 2000

DATE = "dd/mm/yyyy"
DATETIME = "dd/mm/yyyy hh:mm"
MONTH = "mm/yyyy"
POINTS = "0.0"
INTEGER = "0"

__all__ = [
    "CHUNK_SIZE", "CSV", "DATE", "DATETIME", "INTEGER", "MONTH", "POINTS", "XLSX", "Column", "ExportRequest", "SheetSource",
    "local_naive", "sheet_name", "write_workbook",
]


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
    file_format: str = XLSX

    def parameters(self) -> dict:
        return {
            "kind": self.kind,
            "unit": self.unit.pk,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "campaign": self.campaign.pk if self.campaign is not None else None,
            "format": self.file_format,
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
            file_format=CSV if parameters.get("format") == CSV else XLSX,
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
        """``danh-gia-xep-loai-<unit>-<period>.xlsx`` (or ``.csv``) and the like (ASCII, so every browser keeps it)."""
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
        return table_filename(f"{stem}-{self.unit.public_code}-{period}", self.file_format)


def local_naive(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Excel has no time zones: a moment as Hanoi's wall-clock time, without tzinfo."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None)


def write_workbook(
    target, sheets: Iterable[SheetSource], *, file_format: str = XLSX,
    on_progress: Callable[[int], None] | None = None, every: int | None = None,
) -> int:
    """Write ``sheets`` to ``target`` (a path or a binary file) as .xlsx or .csv (``core.xlsx.write_table``) and
    return the number of data rows written; ``on_progress(rows written so far)`` is called every ``every`` rows
    (a chunk, by default)."""
    return write_table(target, sheets, file_format=file_format, on_progress=on_progress, every=every or CHUNK_SIZE)
