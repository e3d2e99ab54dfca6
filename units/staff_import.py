"""Staff import from Excel: every row is saved, or none is and each bad row is explained.

``_read_rows`` checks that the upload is a readable .xlsx (with ``core.xlsx``, shared by every
import), ``_map_columns`` finds the columns by their headers, ``_RowChecker`` lists every problem of every
row (with two queries for the whole file), and ``_save`` creates the staff through ``services.staff_create``
in one transaction. The template written by ``staff_import_template`` is built from the same column list,
so once filled in it imports back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
import datetime
import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.text import fold_diacritics
from core.xlsx import (
    RowError,
    XlsxFileError as _FileError,
    cell_text as _text,
    new_workbook,
    open_xlsx,
    sheet_rows,
)
from units.choices import Leadership, StaffCategory
from units.models import Staff, Unit
from units.scope import Capability, scope_for
from units.services import staff_create

STAFF_IMPORT_TEMPLATE_NAME = "mau-nhap-can-bo.xlsx"


@dataclass(frozen=True)
class Column:
    """A column of the file: the Vietnamese header the template writes, and the English one also accepted."""

    key: str
    header: str
    english: str
    required: bool
    width: int  # in the template, in characters


COLUMNS = (
    Column("staff_code", "Mã cán bộ", "Staff code", True, 14),
    Column("full_name", "Họ và tên", "Full name", True, 28),
    Column("unit_code", "Mã đơn vị", "Unit code", True, 34),
    Column("category", "Phân loại", "Category", True, 18),
    Column("position", "Chức vụ", "Position", False, 34),
    Column("leadership", "Vai trò lãnh đạo", "Leadership", False, 18),
    Column("active_from", "Ngày bắt đầu", "Active from", False, 14),
)
# The words people write; the first is the one the template suggests. Values and labels are accepted too.
CATEGORY_WORDS = {
    StaffCategory.OFFICIAL: ("Cán bộ",),
    StaffCategory.CIVIL_SERVANT: ("Công chức",),
    StaffCategory.PUBLIC_EMPLOYEE: ("Viên chức",),
    StaffCategory.WORKER: ("Người lao động",),
}
LEADERSHIP_WORDS = {
    Leadership.NONE: ("Không",),
    Leadership.HEAD: ("Cấp trưởng", "Trưởng", "Head"),
    Leadership.DEPUTY: ("Cấp phó", "Phó", "Deputy"),
}


@dataclass
class StaffImportResult:
    created: int = 0
    file_errors: list[str] = field(default_factory=list)
    row_errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors


def staff_import_xlsx(*, actor, upload) -> StaffImportResult:
    """Create the staff listed in the uploaded .xlsx: all rows are saved, or none is and every problem is listed."""
    result = StaffImportResult()
    try:
        rows = _read_rows(upload)
        columns = _map_columns(rows[0][1])
    except _FileError as error:
        result.file_errors.append(str(error))
        return result
    checker = _RowChecker(actor, columns, rows[1:])
    staff, result.row_errors = checker.check_all()
    if not result.row_errors:
        result.row_errors = _save(actor, staff)
        result.created = 0 if result.row_errors else len(staff)
    return result


# --- Reading the file -------------------------------------------------------------------------------------


def _read_rows(upload) -> list[tuple[int, tuple]]:
    """The non-empty rows of the first sheet as (row number as Excel shows it, values); the first is the header."""
    max_rows = settings.STAFF_IMPORT_MAX_ROWS
    too_many = _("The file has more than %(limit)s staff rows; split it into smaller files.") % {"limit": max_rows}
    with open_xlsx(upload, max_bytes=settings.STAFF_IMPORT_MAX_BYTES, log_label="Staff import") as workbook:
        rows = sheet_rows(workbook.worksheets[0], max_rows=max_rows + 1, too_many=too_many)
    if not rows:
        raise _FileError(_("The first sheet of the file is empty."))
    if len(rows) == 1:
        raise _FileError(_("The file has a header row but no staff rows."))
    return rows


def _header_key(value) -> str:
    return fold_diacritics(_text(value)).strip(" *:")  # "Họ và tên *" and "HO VA TEN" are the same column


def _map_columns(header: tuple) -> dict[str, tuple[int, str]]:
    """Column key → (position, header as written in the file); unknown columns are ignored."""
    wanted = {_header_key(name): column for column in COLUMNS for name in (column.header, column.english)}
    found = {}
    for index, value in enumerate(header):
        column = wanted.get(_header_key(value))
        if column is not None and column.key not in found:
            found[column.key] = (index, _text(value))
    missing = [column.header for column in COLUMNS if column.required and column.key not in found]
    if missing:
        message = _(
            "Required columns are missing: %(columns)s. "
            "The first filled row must hold the column headers, as in the template."
        )
        raise _FileError(message % {"columns": ", ".join(missing)})
    return found


# --- Checking the rows ------------------------------------------------------------------------------------


def _choice_lookup(choices, words: dict) -> dict[str, str]:
    """Folded spelling → value: the value, the Vietnamese words, and the labels in Vietnamese and English."""
    lookup = {}
    for choice in choices:
        spellings = [choice.value, choice.value.replace("_", " "), *words[choice]]
        for language in ("vi", "en"):
            with translation.override(language):
                spellings.append(str(choice.label))
        lookup.update({fold_diacritics(spelling): choice.value for spelling in spellings})
    return lookup


def _suggested(words: dict, skip=None) -> str:
    return ", ".join(spellings[0] for choice, spellings in words.items() if choice != skip)


def _parse_date(value, default: datetime.date) -> datetime.date | None:
    """A date cell, or text written dd/mm/yyyy or yyyy-mm-dd; ``None`` when it cannot be read."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    return None if text else default


class _RowChecker:
    """Checks rows against what the whole file needs from the database, loaded up front in two queries."""

    def __init__(self, actor, columns: dict[str, tuple[int, str]], rows: list[tuple[int, tuple]]):
        self.headers = {key: header for key, (_index, header) in columns.items()}
        self.rows = [(number, {key: values[i] if i < len(values) else None for key, (i, _h) in columns.items()})
                     for number, values in rows]
        self.first_row_of = {}
        for number, row in self.rows:
            self.first_row_of.setdefault(_text(row["staff_code"]).upper(), number)
        codes = self.first_row_of.keys() - {""}
        self.existing = set(Staff.objects.filter(staff_code__in=codes).values_list("staff_code", flat=True))
        self.scope, self.today = scope_for(actor), timezone.localdate()
        self.units_by_public, self.units_by_official = self._load_units(actor)
        self.categories = _choice_lookup(StaffCategory, CATEGORY_WORDS)
        self.leaderships = _choice_lookup(Leadership, LEADERSHIP_WORDS)

    def _load_units(self, actor):
        """The units named in the file and visible to the actor, by public and official code.

        Former (legacy-structure) units are accepted like current ones: districts still running on the legacy
        structure keep their staff lists there.

        Units outside the actor's scope are never loaded, so their codes read as unknown: a file cannot be
        used to probe which units exist elsewhere.
        """
        codes = {_text(row["unit_code"]) for _number, row in self.rows} - {""}
        units = (
            Unit.objects.visible_to(actor)
            .filter(Q(public_code__in={code.lower() for code in codes}) | Q(official_code__in=codes))
        )
        by_public, by_official = {}, defaultdict(list)
        for unit in units:
            by_public[unit.public_code] = unit
            if unit.official_code:
                by_official[unit.official_code].append(unit)
        return by_public, by_official

    def check_all(self) -> tuple[list[tuple[int, dict]], list[RowError]]:
        """``staff_create`` arguments for every row, or the errors of every bad row, in row order."""
        staff, errors = [], []
        for number, row in self.rows:
            values, messages = self.check(number, row)
            if messages:
                errors.append(RowError(row=number, messages=messages))
            else:
                staff.append((number, values))
        return staff, errors

    def check(self, number: int, row: dict) -> tuple[dict, list[str]]:
        """One row's ``staff_create`` arguments and everything wrong with it (nothing when it is fine)."""
        text = {key: _text(value) for key, value in row.items()}
        messages = self._check_text(text)
        code = text["staff_code"].upper()
        if code and self.first_row_of[code] != number:
            messages.append(_("Staff code %(code)s is repeated: it already appears on row %(row)s.")
                            % {"code": code, "row": self.first_row_of[code]})
        elif code in self.existing:
            messages.append(_("Staff code %(code)s is already in use.") % {"code": code})
        unit = self._unit(text["unit_code"], messages) if text["unit_code"] else None
        category = self.categories.get(fold_diacritics(text["category"]))
        if text["category"] and category is None:
            messages.append(_("Unknown category “%(value)s”. Use one of: %(choices)s.")
                            % {"value": text["category"], "choices": _suggested(CATEGORY_WORDS)})
        leadership = self.leaderships.get(fold_diacritics(text.get("leadership", "")))
        if leadership is None:
            choices = _suggested(LEADERSHIP_WORDS, skip=Leadership.NONE)
            messages.append(_("Unknown leadership role “%(value)s”. Use %(choices)s, or leave it empty.")
                            % {"value": text["leadership"], "choices": choices})
        active_from = _parse_date(row.get("active_from"), default=self.today)
        if active_from is None:
            messages.append(_("Cannot read the date “%(value)s”; write it as dd/mm/yyyy.")
                            % {"value": text["active_from"]})
        full_name = " ".join(text["full_name"].split())
        values = dict(unit=unit, staff_code=code, full_name=full_name, category=category,
                      position=text.get("position", ""), leadership=leadership, active_from=active_from)
        return values, messages

    def _check_text(self, text: dict) -> list[str]:
        """Required columns left empty and text longer than the database keeps, named as the file names them."""
        messages = []
        for key in ("staff_code", "full_name", "unit_code", "category"):
            if not text[key]:
                messages.append(_("Column “%(column)s” is empty.") % {"column": self.headers[key]})
        for key in ("staff_code", "full_name", "position"):
            limit = Staff._meta.get_field(key).max_length
            if len(text.get(key, "")) > limit:
                messages.append(_("Column “%(column)s” is longer than %(limit)s characters.")
                                % {"column": self.headers[key], "limit": limit})
        return messages

    def _unit(self, code: str, messages: list[str]) -> Unit | None:
        """The unit a code names, a public code first, else an official one; a problem is added to ``messages``."""
        unit = self.units_by_public.get(code.lower())
        matches = [unit] if unit else self.units_by_official.get(code, [])
        if len(matches) > 1:
            messages.append(_("Unit code “%(code)s” matches several units; use the unit's public code.")
                            % {"code": code})
        elif not matches:
            messages.append(_("Unknown unit code “%(code)s”.") % {"code": code})
        elif not self.scope.can(Capability.MANAGE_STAFF, matches[0]):
            messages.append(_("You may not manage the staff of %(unit)s.") % {"unit": matches[0].name})
        else:
            return matches[0]
        return None


def _save(actor, staff: list[tuple[int, dict]]) -> list[RowError]:
    """Create every staff member in one transaction; should one still be refused, none is kept."""
    number, values = 0, {}
    try:
        with transaction.atomic():
            for number, values in staff:  # noqa: B007 - the handlers below name the row that failed
                staff_create(actor=actor, **values)
    except ValidationError as error:  # the checks should have caught it: report the row rather than crash
        return [RowError(row=number, messages=error.messages)]
    except IntegrityError:  # another user added the same staff code since the check
        message = _("Staff code %(code)s is already in use.") % {"code": values["staff_code"]}
        return [RowError(row=number, messages=[message])]
    return []


# --- The template -----------------------------------------------------------------------------------------


def _manageable_units(user) -> list[Unit]:
    """Units where ``user`` may manage staff, in tree order."""
    return list(Unit.objects.where_user_can(user, Capability.MANAGE_STAFF).select_related("parent").order_by("path"))


def _add_sheet(workbook, title: str, rows: list[list], widths: list[int]):
    """A sheet whose first row is a bold header that stays in view while scrolling."""
    sheet = workbook.create_sheet(title)
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return sheet


def staff_import_template(*, user) -> bytes:
    """An .xlsx to fill in: the staff sheet with two example rows, a guide, and the codes of the user's units.

    It is in Vietnamese whatever the page language: it is the form ward offices pass around, and its headers
    are what the import matches (English headers are accepted too).
    """
    units = _manageable_units(user)
    unit_code, today = (units[0].public_code if units else None), timezone.localdate()
    workbook = new_workbook()
    workbook.remove(workbook.active)
    staff_sheet = _add_sheet(workbook, "Cán bộ", [
        [column.header for column in COLUMNS],
        ["VD0001", "Nguyễn Văn An", unit_code, "Cán bộ", "Chủ tịch UBND", "Cấp trưởng", today],
        ["VD0002", "Trần Thị Bình", unit_code, "Công chức", "Công chức Văn phòng - Thống kê", None, today],
    ], [column.width for column in COLUMNS])
    # Codes stay text, so "00367" keeps its zeros; the column format also covers the rows people add.
    formats = {"staff_code": "@", "unit_code": "@", "active_from": "DD/MM/YYYY"}
    for index, column in enumerate(COLUMNS, start=1):
        if column.key in formats:
            letter = get_column_letter(index)
            staff_sheet.column_dimensions[letter].number_format = formats[column.key]
            for cell in staff_sheet[letter][1:]:
                cell.number_format = formats[column.key]
    _add_sheet(workbook, "Hướng dẫn", [
        ["Cột", "Bắt buộc", "Cách ghi"],
        ["Mã cán bộ", "Có", "Duy nhất trên toàn cổng, tối đa 30 ký tự; thay mã ví dụ VD0001, VD0002 bằng mã thật."],
        ["Họ và tên", "Có", "Viết đầy đủ, có dấu."],
        ["Mã đơn vị", "Có", "Chép mã ở trang “Đơn vị”, hoặc ghi mã đơn vị hành chính."],
        ["Phân loại", "Có", _suggested(CATEGORY_WORDS)],
        ["Chức vụ", "Không", "Ví dụ: Chủ tịch UBND, Công chức Tư pháp - Hộ tịch."],
        ["Vai trò lãnh đạo", "Không", "Cấp trưởng, Cấp phó, hoặc để trống."],
        ["Ngày bắt đầu", "Không", "Ghi theo dạng dd/mm/yyyy; để trống là ngày nhập."],
        [],
        ["Nếu có dòng lỗi thì không dòng nào được lưu: trang nhập liệt kê lỗi của từng dòng để sửa và tải lên lại."],
    ], [20, 10, 90])
    _add_sheet(workbook, "Đơn vị", [["Mã đơn vị", "Tên đơn vị", "Trực thuộc"]] + [
        [unit.public_code, unit.name, unit.parent.name if unit.parent else ""] for unit in units
    ], [40, 40, 40])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
