"""The layout of the monthly sheet's workbook, shared by the writer (``sheet_export``) and the reader
(``sheet_import``): sheet names, rows, the columns and their headers, and the hidden ``_meta`` sheet's format.

The workbook is in Vietnamese whatever the page language: it is the form ward offices pass around, and its
headers are what the upload matches (English headers are accepted too).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from evaluations.models import CriterionGroup

SHEET_TITLE = "Phiếu đánh giá"
GUIDE_TITLE = "Hướng dẫn"
META_TITLE = "_meta"
META_FORMAT = "conduct-portal/rating-sheet/1"
TITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3


@dataclass(frozen=True)
class Column:
    """A column of the sheet: the Vietnamese header the download writes, and other headers also accepted."""

    key: str
    header: str
    accepted: tuple[str, ...]
    width: int
    required: bool = False


def points_text(value: Decimal) -> str:
    """Points as plain text, without trailing zeros ("70", "18.5"): for headers and formulas."""
    return f"{Decimal(value).normalize():f}"


def group_key(group: CriterionGroup) -> str:
    """The column key of a criterion group's points."""
    return f"group:{group.code}"


def sheet_columns(groups: list[CriterionGroup]) -> list[Column]:
    """The sheet's columns in order: who, the points of each group, total, grade, remark, violations."""
    group_columns = [
        Column(group_key(g), f"{g.name} (tối đa {points_text(g.max_points)})", (g.name, g.code), 18, required=True)
        for g in groups
    ]
    return [
        Column("staff_code", "Mã cán bộ", ("Staff code",), 14, required=True),
        Column("full_name", "Họ và tên", ("Full name",), 28),
        Column("position", "Chức vụ", ("Position",), 26),
        *group_columns,
        Column("total", "Tổng điểm", ("Total",), 11),
        Column("grade", "Xếp loại", ("Grade",), 10),
        Column("remark", "Nhận xét", ("Remark",), 40, required=True),
        Column("violations", "Vi phạm trong tháng", ("Violations this month", "Violations"), 40),
    ]
