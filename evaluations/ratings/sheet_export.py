"""The rating sheet (of a month or a quarter) as an .xlsx to fill in offline (``sheet_workbook``); ``sheet_import``
reads it back.

The download holds one row per rating with the staff code, name, post, the points of each criterion group,
the total and grade (as formulas, so they follow the officer's changes offline; the upload ignores them and
recomputes), the remark and the violations of the period. A hidden sheet ``_meta`` names the sheet and each row's
version at download time, so a row someone changed on the web since then is detected, as on the web page.
The layout both sides share is in ``sheet_format``.
"""

from __future__ import annotations

from decimal import Decimal
import io

from django.utils import timezone, translation
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.xlsx import Formula, new_workbook
from evaluations.models import Rating, RatingSheet
from evaluations.ratings import scoring
from evaluations.ratings.periods import quarter_of
from evaluations.ratings.selectors import rating_sheet_rows
from evaluations.ratings.sheet_format import (
    FIRST_DATA_ROW,
    GUIDE_TITLE,
    HEADER_ROW,
    META_FORMAT,
    META_TITLE,
    SHEET_TITLE,
    TITLE_ROW,
    group_key,
    points_text,
    sheet_columns,
)

POINTS_FORMAT = "0.0"
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


def sheet_filename(sheet: RatingSheet) -> str:
    """The download's file name: the unit's public code and the month (``2026-02``) or quarter (``2026-q1``)."""
    period = f"{sheet.month.year}-q{quarter_of(sheet.month)}" if sheet.is_quarterly else f"{sheet.month:%Y-%m}"
    return f"phieu-danh-gia-{sheet.unit.public_code}-{period}.xlsx"


def _period_text(sheet: RatingSheet) -> str:
    """"quý 1/2026" or "tháng 01/2026": the workbook is in Vietnamese whatever the page language."""
    with translation.override("vi"):
        label = sheet.period_label
    return label[:1].lower() + label[1:]


def _number(value) -> int | float:
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _grade_cap(scheme, violations) -> str | None:
    caps = [scheme.cap_for(v.severity) for v in violations]
    return scoring.worst(*caps) if caps else None


def _grade_formula(scheme, total_cell: str, cap: str | None) -> Formula:
    """The grade by points, then lowered to the violation cap: grade letters sort from best (A) to worst (D)."""
    by_points = (
        f'IF({total_cell}>={points_text(scheme.a_min)},"A",IF({total_cell}>={points_text(scheme.b_min)},"B",'
        f'IF({total_cell}>={points_text(scheme.c_min)},"C","D")))'
    )
    return Formula(f'=CHAR(MAX(CODE({by_points}),CODE("{cap}")))' if cap else f"={by_points}")


def _violations_text(violations) -> str:
    with translation.override("vi"):
        return "; ".join(
            f"{v.occurred_on:%d/%m/%Y}: {v.article} ({v.get_severity_display()})" for v in violations
        )


def sheet_workbook(sheet: RatingSheet) -> bytes:
    """The sheet as an .xlsx to fill in offline: title, headers, one row per rating, a guide and ``_meta``.

    Four queries whatever the number of staff (rows, violations, criterion groups).
    """
    rows = rating_sheet_rows(sheet=sheet)
    groups = list(sheet.scheme.groups.all())
    columns = sheet_columns(groups)
    letters = {column.key: get_column_letter(index) for index, column in enumerate(columns, start=1)}
    last_row = FIRST_DATA_ROW + len(rows) - 1

    # Names, posts, remarks and violations are written as text; only the total and grade are formulas.
    workbook = new_workbook()
    main = workbook.active
    main.title = SHEET_TITLE
    main.append([f"Phiếu đánh giá, xếp loại {_period_text(sheet)} — {sheet.unit.name} — {sheet.scheme.name}"])
    main.cell(TITLE_ROW, 1).font = Font(bold=True, size=13)
    main.append([column.header for column in columns])
    for cell in main[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    main.row_dimensions[HEADER_ROW].height = 60
    first_group, last_group = (letters[group_key(groups[0])], letters[group_key(groups[-1])]) if groups else ("", "")
    for number, rating in enumerate(rows, start=FIRST_DATA_ROW):
        violations = rating.staff.month_violations
        total_cell = f"{letters['total']}{number}"
        total = Formula(f"=MIN(SUM({first_group}{number}:{last_group}{number}),{scoring.TOTAL_CAP})") if groups else 0
        main.append([
            rating.staff.staff_code,
            rating.staff.full_name,
            rating.staff.position,
            *[_number(rating.points.get(g.code, g.default_points)) for g in groups],
            total,
            _grade_formula(sheet.scheme, total_cell, _grade_cap(sheet.scheme, violations)),
            rating.remark,
            _violations_text(violations),
        ])
    for index, column in enumerate(columns, start=1):
        letter = letters[column.key]
        main.column_dimensions[letter].width = column.width
        # Codes stay text, so a code such as 00367 keeps its zeros; points show one decimal.
        number_format = "@" if column.key == "staff_code" else None
        if column.key == "total" or column.key.startswith("group:"):
            number_format = POINTS_FORMAT
        wrap = column.key in ("remark", "violations")
        for row in range(FIRST_DATA_ROW, last_row + 1):
            cell = main.cell(row, index)
            if number_format:
                cell.number_format = number_format
            if wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    if rows:
        for group in groups:
            maximum = points_text(group.max_points)
            validation = DataValidation(
                type="decimal", operator="between", formula1="0", formula2=maximum, allow_blank=False,
                showErrorMessage=True, errorTitle="Điểm không hợp lệ",
                error=f"Nhập số điểm từ 0 đến {maximum}, tối đa một chữ số thập phân.",
            )
            main.add_data_validation(validation)
            letter = letters[group_key(group)]
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
    main.freeze_panes = f"D{FIRST_DATA_ROW}"  # headers, codes and names stay in view while scrolling

    _add_guide(workbook, sheet)
    _add_meta(workbook, sheet, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _add_guide(workbook, sheet: RatingSheet) -> None:
    guide = workbook.create_sheet(GUIDE_TITLE)
    for line in (
        ["Cách điền phiếu đánh giá"],
        ["Chỉ sửa điểm của từng nhóm tiêu chí và cột “Nhận xét”; không sửa mã cán bộ."],
        ["Điểm là số từ 0 đến mức tối đa ghi ở tiêu đề cột, tối đa một chữ số thập phân (ví dụ 18,5)."],
        ["Xếp loại C hoặc D (dưới B) bắt buộc ghi nhận xét. "
         f"Vi phạm trong {'quý' if sheet.is_quarterly else 'tháng'} giới hạn mức xếp loại cao nhất."],
        ["Tổng điểm và xếp loại trong tệp chỉ để tham khảo: khi tải lên, cổng tính lại theo cách tính điểm."],
        ["Nếu có dòng lỗi thì không dòng nào được lưu: trang tải lên liệt kê lỗi của từng dòng để sửa và tải lên lại."],
        ["Nếu có người sửa phiếu trên cổng sau khi bạn tải tệp, hãy tải tệp mới và sửa lại."],
        [f"Tệp dành riêng cho phiếu {_period_text(sheet)} của {sheet.unit.name}; "
         "không dùng cho kỳ đánh giá hay đơn vị khác."],
    ):
        guide.append(line)
    guide["A1"].font = Font(bold=True)
    guide.column_dimensions["A"].width = 110


def _add_meta(workbook, sheet: RatingSheet, rows: list[Rating]) -> None:
    """The hidden sheet the upload checks: which sheet the file is for, and each row's version at download."""
    meta = workbook.create_sheet(META_TITLE)
    meta.append(["format", META_FORMAT])
    meta.append(["sheet_id", sheet.pk])
    meta.append(["unit", sheet.unit.public_code])
    meta.append(["month", sheet.month.isoformat()])
    meta.append(["downloaded_at", timezone.localtime().isoformat(timespec="seconds")])
    meta.append(["staff_code", "rating_id", "version"])
    for rating in rows:
        meta.append([rating.staff.staff_code, rating.pk, rating.version])
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
