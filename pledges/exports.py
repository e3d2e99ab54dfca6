"""The roster of a pledge campaign as an Excel workbook or a CSV file: who is expected under a unit, and who
signed when.

The rows are read in chunks from the database (two queries a chunk) and written one by one straight to the file
(``core.xlsx.write_table``: XlsxWriter in constant-memory mode, or CSV), so memory stays flat whatever the number
of staff. The sheet is meant for Vietnamese offices, so its headers and labels are Vietnamese whatever the page's
language.
"""

from __future__ import annotations

from collections.abc import Iterator

from core.xlsx import CSV, DATE_FORMAT, XLSX, Column, SheetSource, csv_stream, table_filename, write_table
from pledges.choices import PledgeMethod
from pledges.models import PledgeCampaign
from pledges.selectors import campaign_roster
from units.models import Unit

# Staff rows fetched (with their pledges) per round trip.
CHUNK_SIZE = 2000

# (header, width in characters)
COLUMNS = (
    ("Đơn vị", 34),
    ("Mã cán bộ", 14),
    ("Họ và tên", 30),
    ("Chức vụ", 32),
    ("Đã ký", 9),
    ("Ngày ký", 12),
    ("Hình thức", 14),
    ("Người ghi nhận", 28),
)
SIGNED, NOT_SIGNED = "Có", "Chưa"
METHOD_LABELS = {PledgeMethod.ONLINE: "Trực tuyến", PledgeMethod.PAPER: "Bản giấy"}
_FORMATS = {"Ngày ký": DATE_FORMAT}


def roster_filename(campaign: PledgeCampaign, root: Unit, file_format: str = XLSX) -> str:
    return table_filename(f"danh-sach-ky-cam-ket-{campaign.year}-{root.public_code}", file_format)


def roster_columns() -> list[Column]:
    return [Column(header, width, _FORMATS.get(header)) for header, width in COLUMNS]


def roster_rows(*, campaign: PledgeCampaign, root: Unit) -> Iterator[list]:
    """One row per expected staff member under ``root``, in unit and name order, with their standing pledge if any."""
    for staff in campaign_roster(campaign=campaign, root=root).iterator(chunk_size=CHUNK_SIZE):
        pledge = staff.standing_pledges[0] if staff.standing_pledges else None
        yield [
            staff.unit.name,
            staff.staff_code,
            staff.full_name,
            staff.position,
            SIGNED if pledge else NOT_SIGNED,
            pledge.signed_on if pledge else None,
            METHOD_LABELS.get(pledge.method, pledge.method) if pledge else None,
            pledge.recorded_by.get_full_name() if pledge and pledge.recorded_by else None,
        ]


def roster_sheets(*, campaign: PledgeCampaign, root: Unit) -> list[SheetSource]:
    """The roster's one sheet, named after the campaign; in a workbook, a first row names the campaign and unit."""
    return [SheetSource(str(campaign.title), roster_columns(), roster_rows(campaign=campaign, root=root),
                        heading=f"{campaign.title} — {root.name}")]


def roster_workbook(*, campaign: PledgeCampaign, root: Unit, target, file_format: str = XLSX) -> int:
    """Write the roster of ``campaign`` under ``root`` to ``target`` (a path or a binary file); return the rows.

    Workbook: row 1 names the campaign and the unit, row 2 holds the headers (both stay visible when scrolling);
    then one row per expected staff member. CSV: the headers, then the rows."""
    return write_table(target, roster_sheets(campaign=campaign, root=root), file_format=file_format)


def roster_csv_stream(*, campaign: PledgeCampaign, root: Unit):
    """The roster as the pieces of a streamed CSV download."""
    return csv_stream(roster_sheets(campaign=campaign, root=root))


__all__ = ["CSV", "XLSX", "roster_csv_stream", "roster_filename", "roster_sheets", "roster_workbook"]
