"""The roster of a pledge campaign as an Excel workbook: who is expected under a unit, and who signed when.

The workbook is written by openpyxl in write-only mode, row by row, straight to a file: memory stays flat
whatever the number of staff, and the rows are read in chunks from the database (two queries a chunk).
The sheet is meant for Vietnamese offices, so its headers and labels are Vietnamese whatever the page's
language.
"""

from __future__ import annotations

import re

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.xlsx import date_cell, header_cell, new_workbook
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
# Excel refuses these characters in a sheet name, and names longer than 31 characters.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def roster_filename(campaign: PledgeCampaign, root: Unit) -> str:
    return f"danh-sach-ky-cam-ket-{campaign.year}-{root.public_code}.xlsx"


def _sheet_name(title: str) -> str:
    return _SHEET_NAME_FORBIDDEN.sub("-", title).strip("' ")[:31] or "Danh sách"


def roster_workbook(*, campaign: PledgeCampaign, root: Unit, target) -> int:
    """Write the roster of ``campaign`` under ``root`` to ``target`` (a path or a binary file); return the rows.

    Row 1 names the campaign and the unit, row 2 holds the headers (both stay visible when scrolling);
    then one row per expected staff member, in unit and name order, with their standing pledge if any.
    """
    workbook = new_workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_name(campaign.title))
    for index, (_header, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"

    title = WriteOnlyCell(sheet, value=f"{campaign.title} — {root.name}")
    title.font = Font(bold=True, size=13)
    sheet.append([title])
    sheet.append([header_cell(sheet, header) for header, _width in COLUMNS])

    rows = 0
    for staff in campaign_roster(campaign=campaign, root=root).iterator(chunk_size=CHUNK_SIZE):
        pledge = staff.standing_pledges[0] if staff.standing_pledges else None
        sheet.append(
            [
                staff.unit.name,
                staff.staff_code,
                staff.full_name,
                staff.position,
                SIGNED if pledge else NOT_SIGNED,
                date_cell(sheet, pledge.signed_on) if pledge else None,
                METHOD_LABELS.get(pledge.method, pledge.method) if pledge else None,
                pledge.recorded_by.get_full_name() if pledge else None,
            ]
        )
        rows += 1
    workbook.save(target)
    return rows
