"""Inspection visits and their findings as an Excel workbook, for the user's scope.

Only ``visits_visible_to(user)`` reaches the file, so a surprise visit still planned never leaks to the
inspected unit. Written by openpyxl in write-only mode, row by row, with the findings read in chunks (a fixed
number of queries a chunk). The workbook is for Vietnamese offices: headers and labels are Vietnamese whatever
the page's language.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from core.xlsx import DATE_FORMAT, header_cell, new_workbook
from evaluations.choices import ActionStatus, Severity, VisitKind, VisitStatus
from evaluations.inspections.selectors import findings_for_export, visits_for_export

DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
CHUNK_SIZE = 2000
VISITS_SHEET = "Lượt kiểm tra"
FINDINGS_SHEET = "Phát hiện"

VISIT_COLUMNS = (
    ("Ngày giờ", 17),
    ("Đơn vị được kiểm tra", 34),
    ("Đoàn kiểm tra", 28),
    ("Hình thức", 14),
    ("Trạng thái", 14),
    ("Nội dung", 40),
    ("Số mục không đạt", 12),
    ("Số phát hiện", 12),
)
FINDING_COLUMNS = (
    ("Ngày kiểm tra", 13),
    ("Đơn vị", 34),
    ("Mục kiểm tra", 40),
    ("Phát hiện", 48),
    ("Điều của Quy tắc", 30),
    ("Mức độ", 16),
    ("Cán bộ liên quan", 34),
    ("Biện pháp khắc phục", 48),
    ("Hạn hoàn thành", 13),
    ("Tình trạng", 16),
)
KIND_LABELS = {VisitKind.SCHEDULED: "Theo kế hoạch", VisitKind.SURPRISE: "Đột xuất"}
VISIT_STATUS_LABELS = {VisitStatus.PLANNED: "Dự kiến", VisitStatus.IN_PROGRESS: "Đang kiểm tra", VisitStatus.CLOSED: "Đã kết thúc"}
SEVERITY_LABELS = {Severity.MINOR: "Nhẹ", Severity.SERIOUS: "Nghiêm trọng", Severity.VERY_SERIOUS: "Rất nghiêm trọng"}
ACTION_STATUS_LABELS = {ActionStatus.OPEN: "Chưa thực hiện", ActionStatus.DONE: "Đã thực hiện", ActionStatus.VERIFIED: "Đã xác nhận"}
OVERDUE_LABEL = "Quá hạn"


def inspections_filename() -> str:
    """The export's file name, dated today."""
    return f"kiem-tra-cong-vu-{timezone.localdate():%Y%m%d}.xlsx"


def _sheet(workbook, title, columns):
    sheet = workbook.create_sheet(title)
    for index, (_header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([header_cell(sheet, header) for header, _width in columns])
    return sheet


def _action_status(action) -> str:
    label = ACTION_STATUS_LABELS.get(action.status, action.status)
    return f"{label} ({OVERDUE_LABEL})" if action.is_overdue else label


def visit_values(visit) -> list:
    """One row of the visits sheet, as plain values (the time as Hanoi's wall clock: Excel has no time zones)."""
    return [
        timezone.localtime(visit.scheduled_at).replace(tzinfo=None),
        visit.unit.name,
        visit.team.name,
        KIND_LABELS.get(visit.kind, visit.kind),
        VISIT_STATUS_LABELS.get(visit.status, visit.status),
        visit.subject,
        visit.failed_count,
        visit.findings_count,
    ]


def finding_values(finding) -> Iterator[list]:
    """The rows of the findings sheet for one finding, as plain values: one per corrective action (a finding
    without any still has its row)."""
    common = [
        timezone.localtime(finding.visit.scheduled_at).date(),
        finding.visit.unit.name,
        finding.result.item.text,
        finding.description,
        str(finding.article),
        SEVERITY_LABELS.get(finding.severity, finding.severity),
        "; ".join(f"{staff.full_name} ({staff.staff_code})" for staff in finding.staff.all()),
    ]
    for action in list(finding.actions.all()) or [None]:
        if action is None:
            yield [*common, None, None, None]
        else:
            yield [*common, action.description, action.due_on, _action_status(action)]


def _formatted(sheet, values: list, formats: dict[int, str]) -> list:
    """``values`` with the cells at the given positions carrying a number format (dates stay sortable)."""
    row = list(values)
    for position, number_format in formats.items():
        if row[position] is not None:
            cell = WriteOnlyCell(sheet, value=row[position])
            cell.number_format = number_format
            row[position] = cell
    return row


def inspections_workbook(*, user, target) -> tuple[int, int]:
    """Write the visits and findings ``user`` may see to ``target`` (a path or a binary file).

    Sheet "Lượt kiểm tra": one row per visit. Sheet "Phát hiện": one row per corrective action of each finding
    (a finding without an action has one row). Returns the numbers of visit rows and finding rows."""
    workbook = new_workbook(write_only=True)
    visits_sheet = _sheet(workbook, VISITS_SHEET, VISIT_COLUMNS)
    visit_rows = 0
    for visit in visits_for_export(user=user).iterator(chunk_size=CHUNK_SIZE):
        visits_sheet.append(_formatted(visits_sheet, visit_values(visit), {0: DATETIME_FORMAT}))
        visit_rows += 1

    findings_sheet = _sheet(workbook, FINDINGS_SHEET, FINDING_COLUMNS)
    finding_rows = 0
    for finding in findings_for_export(user=user).iterator(chunk_size=CHUNK_SIZE):
        for values in finding_values(finding):
            findings_sheet.append(_formatted(findings_sheet, values, {0: DATE_FORMAT, 8: DATE_FORMAT}))
            finding_rows += 1
    workbook.save(target)
    return visit_rows, finding_rows
