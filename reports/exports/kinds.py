"""The four kinds of export: their rows, read in chunks (a fixed number of queries a chunk), and their columns.

- ratings: every rating of the months asked in the unit's subtree, with that month's violations;
- feedback log: the cases received in the period. Only what the office handled: NEVER the citizen's name,
  phone, e-mail or text (they are not even read from the database);
- pledge roster: the campaign's expected staff under the unit and their pledges (``pledges.selectors``);
- inspections: visits and findings through ``visits_visible_to`` (a surprise visit still planned stays secret).

``export_count`` answers with one COUNT how many rows an export will have (it decides whether the file is
written in the request or by a Celery job); ``export_write`` writes the workbook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import datetime
from decimal import Decimal
from itertools import batched

from django.db.models import Count, FloatField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, NullIf
from django.utils import timezone

from core.dates import month_end
from core.xlsx import csv_stream
from evaluations.choices import SheetStatus
from evaluations.inspections.exports import (
    FINDING_COLUMNS,
    FINDING_FORMATS,
    FINDINGS_SHEET,
    SEVERITY_LABELS,
    VISIT_COLUMNS,
    VISIT_FORMATS,
    VISITS_SHEET,
    columns as inspection_columns,
    finding_values,
    visit_values,
)
from evaluations.inspections.selectors import findings_for_export, visits_for_export
from evaluations.models import CriterionGroup, Rating, RatingSheet, Violation
from feedback.choices import CaseStatus, Channel, FeedbackKind
from feedback.staff.selectors import inbox
from pledges.exports import roster_columns, roster_rows
from pledges.selectors import campaign_expected_staff
from reports.choices import ExportKind
from reports.exports.writer import (
    CHUNK_SIZE,
    DATE,
    DATETIME,
    INTEGER,
    MONTH,
    POINTS,
    Column,
    ExportRequest,
    SheetSource,
    local_naive,
    write_workbook,
)
from units.choices import StaffCategory
from units.scope import is_within

# --- Ratings ------------------------------------------------------------------------------------------------

CATEGORY_LABELS = {
    StaffCategory.OFFICIAL: "Cán bộ",
    StaffCategory.CIVIL_SERVANT: "Công chức",
    StaffCategory.PUBLIC_EMPLOYEE: "Viên chức",
    StaffCategory.WORKER: "Người lao động",
}
SHEET_STATUS_LABELS = {
    SheetStatus.DRAFT: "Dự thảo",
    SheetStatus.SUBMITTED: "Đã nộp",
    SheetStatus.APPROVED: "Đã duyệt",
    SheetStatus.LOCKED: "Đã khóa",
}


def _ratings(request: ExportRequest):
    return Rating.objects.within(request.unit).filter(sheet__month__gte=request.start, sheet__month__lte=request.end)


def _criterion_groups(request: ExportRequest) -> list[CriterionGroup]:
    """The groups of the schemes that scored the exported sheets, and of no other scheme (a Hanoi export has no
    column of Decree 335's groups, nor the other way round): one column per group code, in the scheme's order,
    named as in the latest of those schemes. One query."""
    sheets = RatingSheet.objects.within(request.unit).filter(month__gte=request.start, month__lte=request.end)
    groups = CriterionGroup.objects.filter(scheme_id__in=sheets.values("scheme_id")).order_by(
        "order", "-scheme__effective_from", "pk"
    )
    by_code: dict[str, CriterionGroup] = {}
    for group in groups:
        by_code.setdefault(group.code, group)
    return list(by_code.values())


def _violation_text(violation: Violation) -> str:
    return f"{violation.occurred_on:%d/%m/%Y}: {violation.article} ({SEVERITY_LABELS.get(violation.severity, violation.severity)})"


def _whole(number: float | None) -> int | float | None:
    return int(number) if number is not None and number.is_integer() else number


def _rating_rows(request: ExportRequest, groups: list[CriterionGroup]) -> Iterator[list]:
    # Plain tuples, not model instances: building four objects per row cost a third of a million-row export. The
    # points come out of the JSON as numbers in PostgreSQL (no JSON decoding nor Decimal in Python, a fifth of the
    # rows' cost); a group's empty value is no number.
    points = {
        f"points_{index}": Cast(NullIf(KT(f"points__{group.code}"), Value("")), FloatField())
        for index, group in enumerate(groups)
    }
    ratings = (
        _ratings(request)
        .order_by("sheet__month", "sheet__unit__path", "staff__full_name", "pk")
        .annotate(**points, total_number=Cast("total", FloatField()))
        .values_list(
            "sheet__month", "sheet__unit__name", "staff_id", "staff__staff_code", "staff__full_name", "staff__category",
            "staff__position", "total_number", "grade_by_points", "grade", "remark", "sheet__status", *points,
        )
    )
    last_day = month_end(request.end)
    for chunk in batched(ratings.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        # The chunk's violations in one query, keyed by staff member and month.
        violations: dict[tuple[int, datetime.date], list[str]] = {}
        for violation in (
            Violation.objects.filter(
                staff_id__in={row[2] for row in chunk}, occurred_on__gte=request.start, occurred_on__lte=last_day
            )
            .select_related("article")
            .order_by("occurred_on", "pk")
        ):
            key = (violation.staff_id, violation.occurred_on.replace(day=1))
            violations.setdefault(key, []).append(_violation_text(violation))
        for row in chunk:
            month, unit_name, staff_id, code, name, category, position, total, by_points, grade, remark, status = row[:12]
            yield [
                month,
                unit_name,
                code,
                name,
                CATEGORY_LABELS.get(category, category),
                position,
                *(_whole(value) for value in row[12:]),
                _whole(total),
                by_points,
                grade,
                remark,
                SHEET_STATUS_LABELS.get(status, status),
                "; ".join(violations.get((staff_id, month), ())),
            ]


def _points_text(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def _ratings_sheets(request: ExportRequest, user) -> list[SheetSource]:
    groups = _criterion_groups(request)
    columns = [
        Column("Tháng", 10, MONTH),
        Column("Đơn vị", 34),
        Column("Mã cán bộ", 14),
        Column("Họ và tên", 28),
        Column("Phân loại", 16),
        Column("Chức vụ", 28),
        *(Column(f"{group.name} (tối đa {_points_text(group.max_points)})", 18, POINTS) for group in groups),
        Column("Tổng điểm", 11, POINTS),
        Column("Xếp loại theo điểm", 12),
        Column("Xếp loại", 10),
        Column("Nhận xét", 40),
        Column("Trạng thái phiếu", 14),
        Column("Vi phạm trong tháng", 48),
    ]
    return [SheetSource("Đánh giá xếp loại", columns, _rating_rows(request, groups))]


# --- Feedback log -------------------------------------------------------------------------------------------

CHANNEL_LABELS = {
    Channel.WEB: "Biểu mẫu trực tuyến",
    Channel.HOTLINE: "Đường dây nóng",
    Channel.MAILBOX: "Hòm thư góp ý",
    Channel.COMMENT_BOOK: "Sổ góp ý",
    Channel.SURVEY_SLIP: "Phiếu khảo sát",
}
FEEDBACK_KIND_LABELS = {
    FeedbackKind.PRAISE: "Khen ngợi",
    FeedbackKind.ATTITUDE: "Thái độ của cán bộ",
    FeedbackKind.HARASSMENT: "Nhũng nhiễu, tiêu cực",
    FeedbackKind.DELAY: "Chậm giải quyết hồ sơ",
    FeedbackKind.FACILITIES: "Cơ sở vật chất",
    FeedbackKind.OTHER: "Khác",
}
CASE_STATUS_LABELS = {
    CaseStatus.NEW: "Mới",
    CaseStatus.IN_PROGRESS: "Đang xử lý",
    CaseStatus.RESOLVED: "Đã giải quyết",
    CaseStatus.REJECTED: "Không xử lý",
}
ON_TIME, LATE, OVERDUE = "Đúng hạn", "Trễ hạn", "Quá hạn"
# Only these columns are read: the citizen's name, phone, e-mail and words never leave the database.
FEEDBACK_FIELDS = (
    "received_at", "unit__name", "tracking_code", "channel", "kind", "status", "due_on", "closed_at", "satisfaction",
    "staff__full_name", "staff__staff_code",
)
FEEDBACK_COLUMNS = (
    Column("Thời điểm tiếp nhận", 17, DATETIME),
    Column("Đơn vị", 34),
    Column("Mã tra cứu", 12),
    Column("Kênh", 20),
    Column("Loại phản ánh", 24),
    Column("Trạng thái", 14),
    Column("Hạn xử lý", 12, DATE),
    Column("Thời điểm kết thúc", 17, DATETIME),
    Column("Đúng hạn", 10),
    Column("Mức độ hài lòng (1–5)", 12, INTEGER),
    Column("Cán bộ liên quan", 34),
)


def _period_bounds(request: ExportRequest) -> tuple[datetime.datetime, datetime.datetime]:
    """From the first instant of ``start`` to the first instant after ``end``, in Hanoi's time zone."""
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(request.start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(request.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone),
    )


def _cases(request: ExportRequest, user):
    start, end = _period_bounds(request)
    return inbox(user=user, unit=request.unit).filter(received_at__gte=start, received_at__lt=end)


def on_time_label(*, status: str, due_on: datetime.date, closed_at: datetime.datetime | None, today: datetime.date) -> str:
    """Closed by the due date (in Hanoi's calendar) or not; an open case past its due date is overdue."""
    if status in (CaseStatus.RESOLVED, CaseStatus.REJECTED) and closed_at is not None:
        return ON_TIME if timezone.localtime(closed_at).date() <= due_on else LATE
    return OVERDUE if due_on < today else ""


def _feedback_rows(request: ExportRequest, user) -> Iterator[list]:
    today = timezone.localdate()
    cases = _cases(request, user).order_by("received_at", "pk").values_list(*FEEDBACK_FIELDS)
    for received_at, unit, code, channel, kind, status, due_on, closed_at, satisfaction, staff_name, staff_code in cases.iterator(
        chunk_size=CHUNK_SIZE
    ):
        yield [
            local_naive(received_at),
            unit,
            code,
            CHANNEL_LABELS.get(channel, channel),
            FEEDBACK_KIND_LABELS.get(kind, kind),
            CASE_STATUS_LABELS.get(status, status),
            due_on,
            local_naive(closed_at),
            on_time_label(status=status, due_on=due_on, closed_at=closed_at, today=today),
            satisfaction,
            f"{staff_name} ({staff_code})" if staff_name else None,
        ]


def _feedback_sheets(request: ExportRequest, user) -> list[SheetSource]:
    return [SheetSource("Sổ phản ánh", FEEDBACK_COLUMNS, _feedback_rows(request, user))]


# --- Pledge roster ------------------------------------------------------------------------------------------


def roster_root(campaign, unit):
    """The deeper of the campaign's scope and the unit asked, or ``None`` when they do not overlap."""
    if is_within(unit, campaign.scope_unit):
        return unit
    if is_within(campaign.scope_unit, unit):
        return campaign.scope_unit
    return None


def _roster_sheets(request: ExportRequest, user) -> list[SheetSource]:
    root = roster_root(request.campaign, request.unit)
    rows = iter(()) if root is None else roster_rows(campaign=request.campaign, root=root)
    return [SheetSource(str(request.campaign.title), roster_columns(), rows)]


def _roster_count(request: ExportRequest, user) -> int:
    root = roster_root(request.campaign, request.unit)
    return 0 if root is None else campaign_expected_staff(campaign=request.campaign, under=root).count()


# --- Inspections --------------------------------------------------------------------------------------------


def _visits(request: ExportRequest, user):
    start, end = _period_bounds(request)
    return visits_for_export(user=user).within(request.unit).filter(scheduled_at__gte=start, scheduled_at__lt=end)


def _findings(request: ExportRequest, user):
    start, end = _period_bounds(request)
    return findings_for_export(user=user).within(request.unit).filter(
        visit__scheduled_at__gte=start, visit__scheduled_at__lt=end
    )


def _visit_rows(request: ExportRequest, user) -> Iterator[list]:
    for visit in _visits(request, user).iterator(chunk_size=CHUNK_SIZE):
        yield visit_values(visit)


def _finding_rows(request: ExportRequest, user) -> Iterator[list]:
    for finding in _findings(request, user).iterator(chunk_size=CHUNK_SIZE):
        yield from finding_values(finding)


def _inspection_sheets(request: ExportRequest, user) -> list[SheetSource]:
    return [
        SheetSource(VISITS_SHEET, inspection_columns(VISIT_COLUMNS, VISIT_FORMATS), _visit_rows(request, user)),
        SheetSource(FINDINGS_SHEET, inspection_columns(FINDING_COLUMNS, FINDING_FORMATS), _finding_rows(request, user)),
    ]


def _inspection_count(request: ExportRequest, user) -> int:
    """Visits plus findings, in one query (an estimate of the rows: a finding with several actions has more)."""
    counts = _visits(request, user).aggregate(visits=Count("pk", distinct=True), findings=Count("findings", distinct=True))
    return counts["visits"] + counts["findings"]


# --- Dispatch -----------------------------------------------------------------------------------------------

_SHEETS: dict[str, Callable] = {
    ExportKind.RATINGS: _ratings_sheets,
    ExportKind.FEEDBACK: _feedback_sheets,
    ExportKind.PLEDGES: _roster_sheets,
    ExportKind.INSPECTIONS: _inspection_sheets,
}
_COUNTS: dict[str, Callable] = {
    ExportKind.RATINGS: lambda request, user: _ratings(request).count(),
    ExportKind.FEEDBACK: lambda request, user: _cases(request, user).count(),
    ExportKind.PLEDGES: _roster_count,
    ExportKind.INSPECTIONS: _inspection_count,
}


def export_count(*, request: ExportRequest, user) -> int:
    """How many rows the export will hold (one query): decides between the request and a background job."""
    return _COUNTS[request.kind](request, user)


def export_write(*, request: ExportRequest, user, target, on_progress: Callable[[int], None] | None = None) -> int:
    """Write the export to ``target`` (a path or a binary file) as ``user`` may see it, as .xlsx or .csv
    (``request.file_format``); return the rows written.

    The unit is trusted to be within the user's export scope (checked by the view, and again by the job)."""
    return write_workbook(target, _SHEETS[request.kind](request, user), file_format=request.file_format,
                          on_progress=on_progress)


def export_csv_stream(*, request: ExportRequest, user) -> Iterator[bytes]:
    """The export as the pieces of a streamed CSV download (``core.xlsx.csv_stream``), read as it is sent."""
    return csv_stream(_SHEETS[request.kind](request, user))

