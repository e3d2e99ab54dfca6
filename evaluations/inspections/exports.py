"""Inspection visits and their findings as an Excel workbook or a CSV file, for the user's scope.

Only ``visits_visible_to(user)`` reaches the file, so a surprise visit still planned never leaks to the
inspected unit. Written row by row (``core.xlsx.write_table``: XlsxWriter in constant-memory mode, or CSV), with the findings read in chunks (a fixed
number of queries a chunk). The workbook is for Vietnamese offices: headers and labels are Vietnamese whatever
the page's language.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone

from core.xlsx import DATE_FORMAT, XLSX, Column, SheetSource, csv_stream, table_filename, write_table
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
VISIT_FORMATS = {"Ngày giờ": DATETIME_FORMAT, "Số mục không đạt": "0", "Số phát hiện": "0"}
FINDING_FORMATS = {"Ngày kiểm tra": DATE_FORMAT, "Hạn hoàn thành": DATE_FORMAT}


def inspections_filename(file_format: str = XLSX) -> str:
    """The export's file name, dated today."""
    return table_filename(f"kiem-tra-cong-vu-{timezone.localdate():%Y%m%d}", file_format)


def columns(spec, formats: dict[str, str]) -> list[Column]:
    """(header, width) pairs as columns, with the number formats of those named in ``formats``."""
    return [Column(header, width, formats.get(header)) for header, width in spec]


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


def inspections_sheets(*, user) -> list[SheetSource]:
    """The visits sheet and the findings sheet of what ``user`` may see, rows read lazily in chunks."""

    def visit_rows():
        for visit in visits_for_export(user=user).iterator(chunk_size=CHUNK_SIZE):
            yield visit_values(visit)

    def finding_rows():
        for finding in findings_for_export(user=user).iterator(chunk_size=CHUNK_SIZE):
            yield from finding_values(finding)

    return [
        SheetSource(VISITS_SHEET, columns(VISIT_COLUMNS, VISIT_FORMATS), visit_rows()),
        SheetSource(FINDINGS_SHEET, columns(FINDING_COLUMNS, FINDING_FORMATS), finding_rows()),
    ]


def inspections_workbook(*, user, target, file_format: str = XLSX) -> tuple[int, int]:
    """Write the visits and findings ``user`` may see to ``target`` (a path or a binary file), as .xlsx or .csv.

    Sheet "Lượt kiểm tra": one row per visit. Sheet "Phát hiện": one row per corrective action of each finding
    (a finding without an action has one row); in a CSV, one after the other. Returns the numbers of visit rows
    and finding rows."""
    sheets = inspections_sheets(user=user)
    write_table(target, sheets, file_format=file_format)
    return sheets[0].written, sheets[1].written


def inspections_csv_stream(*, user):
    """Visits and findings as the pieces of a streamed CSV download."""
    return csv_stream(inspections_sheets(user=user))
