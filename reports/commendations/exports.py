"""A commendation list as an Excel workbook (or a CSV file): the staff on the list (ranked) and, on a second sheet, those the
office removed with the reasons. For Vietnamese offices: headers and labels in Vietnamese whatever the page's
language, frozen header rows, column widths, number formats."""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.xlsx import DATE_FORMAT, Column, SheetSource, csv_stream, new_workbook, table_filename
from reports.choices import CommendationStatus, EntrySource
from reports.models import CommendationEntry, CommendationList

LIST_SHEET = "Danh sách biểu dương"
REMOVED_SHEET = "Đã loại khỏi danh sách"
HEADER_ROW = 4  # rows 1–3 hold the title, the unit and the status
COLUMNS = (
    ("STT", 6),
    ("Họ và tên", 28),
    ("Mã cán bộ", 12),
    ("Chức vụ", 30),
    ("Đơn vị", 32),
    ("Xếp loại theo tháng", 12),
    ("Số tháng được đánh giá", 12),
    ("Tổng điểm quý", 11),
    ("Số lượt khen của người dân", 13),
    ("Nguồn", 16),
    ("Lý do", 40),
)
# The year's list: the same columns, the figures being the year's classification.
ANNUAL_HEADERS = {5: "Xếp loại chất lượng năm", 6: "Số kỳ được đánh giá", 7: "Điểm bình quân năm"}
SOURCE_LABELS = {EntrySource.RULE: "Theo tiêu chí", EntrySource.MANUAL: "Bổ sung"}
STATUS_LABELS = {CommendationStatus.DRAFT: "Dự thảo", CommendationStatus.APPROVED: "Đã phê duyệt"}
SCORE_FORMAT = "0.0"
# The same look as core.xlsx.header_cell (which makes write-only cells; this sheet is a normal one).
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)


def commendation_filename(commendation_list: CommendationList, file_format: str = "xlsx") -> str:
    return table_filename(f"bieu-duong-{commendation_list.unit.public_code}-{commendation_list.period.slug}", file_format)


def _period_title(commendation_list: CommendationList) -> str:
    if commendation_list.is_annual:
        return f"năm {commendation_list.year}"
    return f"quý {commendation_list.quarter}/{commendation_list.year}"


def _write_sheet(sheet, commendation_list: CommendationList, title: str, entries: list[CommendationEntry]) -> None:
    sheet["A1"] = f"{title} {_period_title(commendation_list)}"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = commendation_list.unit.name
    sheet["A3"] = f"Trạng thái: {STATUS_LABELS.get(commendation_list.status, commendation_list.status)}"
    if commendation_list.approved_at:
        # A real date, so the sheet can be filed and sorted by it.
        sheet["E3"] = "Ngày phê duyệt"
        sheet["F3"] = timezone.localtime(commendation_list.approved_at).date()
        sheet["F3"].number_format = DATE_FORMAT
    for index, (header, width) in enumerate(COLUMNS, start=1):
        if commendation_list.is_annual:
            header = ANNUAL_HEADERS.get(index - 1, header)
        sheet.column_dimensions[get_column_letter(index)].width = width
        cell = sheet.cell(row=HEADER_ROW, column=index, value=header)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    for number, entry in enumerate(entries, start=1):
        row = HEADER_ROW + number
        values = (
            number, entry.staff.full_name, entry.staff.staff_code, entry.staff.position, entry.staff_unit.name,
            entry.grades, entry.months_rated, entry.total_score, entry.praise_count,
            SOURCE_LABELS.get(entry.source, entry.source), entry.reason,
        )
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row, column=column, value=value)
        sheet.cell(row=row, column=8).number_format = SCORE_FORMAT
        sheet.cell(row=row, column=11).alignment = Alignment(wrap_text=True, vertical="top")


def commendation_workbook(*, commendation_list: CommendationList, rows: list[CommendationEntry]) -> bytes:
    """The workbook's bytes, from ``rows`` (every entry of the list, as ``commendation_entry_rows`` gives them)."""
    workbook = new_workbook()
    included = [e for e in rows if e.included]
    removed = [e for e in rows if not e.included]
    _write_sheet(workbook.active, commendation_list, "Danh sách đề nghị biểu dương", included)
    workbook.active.title = LIST_SHEET
    _write_sheet(workbook.create_sheet(REMOVED_SHEET), commendation_list, "Cán bộ đã loại khỏi danh sách", removed)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _csv_values(number: int, entry: CommendationEntry) -> list:
    return [
        number, entry.staff.full_name, entry.staff.staff_code, entry.staff.position, entry.staff_unit.name,
        entry.grades, entry.months_rated, entry.total_score, entry.praise_count,
        SOURCE_LABELS.get(entry.source, entry.source), entry.reason,
    ]


def commendation_csv_stream(*, commendation_list: CommendationList, rows: list[CommendationEntry]):
    """The list as the pieces of a streamed CSV download (``core.xlsx.csv_stream``): the ranked staff, then those
    removed with the reasons, the same columns as the workbook's."""
    headers = [
        ANNUAL_HEADERS.get(index, header) if commendation_list.is_annual else header
        for index, (header, _width) in enumerate(COLUMNS)
    ]
    columns = [Column(header, width, SCORE_FORMAT if index == 7 else None)
               for index, (header, (_h, width)) in enumerate(zip(headers, COLUMNS, strict=True))]
    included = [e for e in rows if e.included]
    removed = [e for e in rows if not e.included]
    title = _period_title(commendation_list)
    return csv_stream([
        SheetSource(f"{LIST_SHEET} {title} — {commendation_list.unit.name}", columns,
                    (_csv_values(number, entry) for number, entry in enumerate(included, start=1))),
        SheetSource(REMOVED_SHEET, columns, (_csv_values(number, entry) for number, entry in enumerate(removed, start=1))),
    ])
