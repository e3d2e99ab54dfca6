"""The monthly sheet read back from an uploaded .xlsx (``sheet_import``); ``sheet_export`` writes it.

The upload is checked like the staff import (``core.xlsx``): the file first, then every row
(staff code, points, remark, repeats). If any row is wrong nothing is saved and every problem is listed by
the row number Excel shows; otherwise every changed row is saved at once by ``services.rating_sheet_rows_save`` (the
rules of ``rating_save`` in bulk: one locked read, bulk writes with history), and a row found stale saves none. Unchanged rows are not saved again, so the
history only records real changes. The hidden ``_meta`` sheet written with the download says which sheet the
file is for and each row's version at download time, so a row changed on the web since then is detected.
Headers are matched without regard to diacritics or the "(tối đa …)" suffix; English headers are accepted too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime
from decimal import Decimal
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.text import fold_diacritics
from core.xlsx import RowError, XlsxFileError, cell_text, open_xlsx, sheet_rows
from evaluations.models import Rating, RatingSheet
from evaluations.ratings import scoring, services
from evaluations.ratings.selectors import rating_sheet_rows
from evaluations.ratings.sheet_format import META_FORMAT, META_TITLE, SHEET_TITLE, group_key, sheet_columns
from units.models import Staff

# The header is looked for among the first filled rows: people sometimes add a line above the title.
HEADER_SEARCH_ROWS = 10
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 1000  # staff rows; a ward has 20–80 people, the largest units a few hundred
MAX_REMARK_LENGTH = 1000  # as on the web page
_MAXIMUM_SUFFIX = re.compile(r"\s*\((?:toi da|max|maximum)\b[^)]*\)\s*$")


def max_upload_bytes() -> int:
    """The largest upload accepted (``RATING_SHEET_UPLOAD_MAX_BYTES``, 5 MB by default)."""
    return getattr(settings, "RATING_SHEET_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_upload_rows() -> int:
    """The most staff rows accepted (``RATING_SHEET_UPLOAD_MAX_ROWS``, 1000 by default)."""
    return getattr(settings, "RATING_SHEET_UPLOAD_MAX_ROWS", DEFAULT_MAX_ROWS)


def _header_key(value) -> str:
    """"Kết quả … (tối đa 70)", "KET QUA …" and "Kết quả … (max 70)" are the same column."""
    return _MAXIMUM_SUFFIX.sub("", fold_diacritics(cell_text(value)).strip(" *:"))


@dataclass
class SheetImportResult:
    """What an upload did: rows saved and left unchanged, or the problems with the file or its rows."""

    updated: int = 0
    unchanged: int = 0
    file_errors: list[str] = field(default_factory=list)
    row_errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors


@dataclass
class _Meta:
    sheet_id: int
    unit: str
    month: str
    versions: dict[str, int]


@dataclass
class _Change:
    row: int
    rating: Rating
    points: dict[str, Decimal]
    remark: str
    expected_version: int


def sheet_import(*, actor, sheet: RatingSheet, upload) -> SheetImportResult:
    """Save the points and remarks of an uploaded sheet: every changed row is saved, or none is and every
    problem is listed by row. The caller checks that ``actor`` may rate the sheet's unit."""
    result = SheetImportResult()
    groups = list(sheet.scheme.groups.all())
    try:
        _check_editable(sheet)
        main_rows, meta_rows = _read(upload)
        meta = _read_meta(meta_rows)
        _check_meta(meta, sheet)
        header_row, columns = _map_columns(main_rows, groups)
    except XlsxFileError as error:
        result.file_errors.append(str(error))
        return result
    data_rows = [(number, values) for number, values in main_rows if number > header_row]
    if not data_rows:
        result.file_errors.append(_("The file has a header row but no staff rows."))
        return result
    if len(data_rows) > max_upload_rows():
        result.file_errors.append(_too_many_rows())
        return result
    checker = _RowChecker(actor, sheet, groups, columns, data_rows, meta.versions)
    changes, result.row_errors = checker.check_all()
    if result.row_errors:
        return result
    result.file_errors, result.row_errors = _save(actor, sheet, groups, changes)
    if result.ok:
        result.updated, result.unchanged = len(changes), len(data_rows) - len(changes)
    return result


def _check_editable(sheet: RatingSheet) -> None:
    if not sheet.is_editable:
        raise XlsxFileError(
            _("This sheet is %(status)s and can no longer be changed.") % {"status": sheet.get_status_display().lower()}
        )


def _read(upload) -> tuple[list[tuple[int, tuple]], list[tuple[int, tuple]] | None]:
    """The filled rows of the rating sheet (by its name, else the first sheet) and of ``_meta`` (None if absent)."""
    limit, too_many = max_upload_rows(), _too_many_rows()
    with open_xlsx(upload, max_bytes=max_upload_bytes(), log_label="Rating sheet upload") as workbook:
        sheets = {worksheet.title: worksheet for worksheet in workbook.worksheets}
        main = sheets.get(SHEET_TITLE)
        if main is None:  # the tab was renamed: take the first sheet that is not ``_meta``
            main = next((ws for title, ws in sheets.items() if title != META_TITLE), None)
        if main is None:
            raise XlsxFileError(_("The file holds no rating sheet."))
        # Reading stops early on a huge sheet; the exact count of staff rows is checked once the header is known.
        main_rows = sheet_rows(main, max_rows=limit + HEADER_SEARCH_ROWS, too_many=too_many)
        meta = sheets.get(META_TITLE)
        meta_rows = sheet_rows(meta, max_rows=limit + 10, too_many=too_many) if meta is not None else None
    return main_rows, meta_rows


def _too_many_rows() -> str:
    limit = max_upload_rows()
    return _("The file has more than %(limit)s rows; a monthly sheet has one row per staff member.") % {"limit": limit}


def _not_from_portal() -> XlsxFileError:
    return XlsxFileError(
        _("This file was not downloaded from the portal: its hidden sheet “_meta” is missing or damaged. "
          "Download the sheet of the month and fill that in.")
    )


def _int(value) -> int | None:
    try:
        return int(cell_text(value))
    except ValueError:
        return None


def _read_meta(rows: list[tuple[int, tuple]] | None) -> _Meta:
    if not rows:
        raise _not_from_portal()
    values, versions, in_table = {}, {}, False
    for _number, cells in rows:
        cells = tuple(cells) + (None, None, None)
        key = cell_text(cells[0])
        if in_table:
            version = _int(cells[2])
            if key and version is not None:
                versions[key.upper()] = version
        elif key == "staff_code":
            in_table = True
        else:
            values[key] = cells[1]
    sheet_id = _int(values.get("sheet_id"))
    if cell_text(values.get("format")) != META_FORMAT or sheet_id is None:
        raise _not_from_portal()
    return _Meta(sheet_id=sheet_id, unit=cell_text(values.get("unit")), month=cell_text(values.get("month")),
                 versions=versions)


def _check_meta(meta: _Meta, sheet: RatingSheet) -> None:
    if (meta.sheet_id, meta.unit, meta.month) == (sheet.pk, sheet.unit.public_code, sheet.month.isoformat()):
        return
    try:
        month = f"{datetime.date.fromisoformat(meta.month):%m/%Y}"
    except ValueError:
        month = meta.month
    this_month = sheet.period_label if sheet.is_quarterly else f"{sheet.month:%m/%Y}"
    raise XlsxFileError(
        _("This file belongs to another sheet or month: it was downloaded for %(unit)s, %(month)s. "
          "Download the sheet of %(this_unit)s for %(this_month)s and fill that in.")
        % {"unit": meta.unit, "month": month, "this_unit": sheet.unit.name, "this_month": this_month}
    )


def _map_columns(rows: list[tuple[int, tuple]], groups) -> tuple[int, dict[str, tuple[int, str]]]:
    """(row number of the header, column key → (position, header as written)); unknown columns are ignored."""
    columns = sheet_columns(groups)
    wanted = {_header_key(name): column for column in columns for name in (column.header, *column.accepted)}
    staff_code_keys = {key for key, column in wanted.items() if column.key == "staff_code"}
    for number, values in rows[:HEADER_SEARCH_ROWS]:
        if not staff_code_keys.intersection(_header_key(value) for value in values):
            continue
        found = {}
        for index, value in enumerate(values):
            column = wanted.get(_header_key(value))
            if column is not None and column.key not in found:
                found[column.key] = (index, cell_text(value))
        missing = [column.header for column in columns if column.required and column.key not in found]
        if missing:
            break
        return number, found
    else:
        missing = [column.header for column in columns if column.required]
    raise XlsxFileError(
        _("Required columns are missing: %(columns)s. Keep the column headers of the downloaded sheet.")
        % {"columns": ", ".join(missing)}
    )


class _RowChecker:
    """Checks every row against the sheet, loaded up front: a constant number of queries for the whole file."""

    def __init__(self, actor, sheet: RatingSheet, groups, columns, rows, versions: dict[str, int]):
        self.sheet, self.groups, self.versions = sheet, groups, versions
        self.headers = {key: header for key, (_index, header) in columns.items()}
        self.rows = [(number, {key: values[i] if i < len(values) else None for key, (i, _h) in columns.items()})
                     for number, values in rows]
        self.ratings = {rating.staff.staff_code.upper(): rating for rating in rating_sheet_rows(sheet=sheet)}
        self.first_row_of: dict[str, int] = {}
        written = set()
        for number, row in self.rows:
            text = cell_text(row["staff_code"])
            written.add(text)
            self.first_row_of.setdefault(text.upper(), number)
        elsewhere = {text for text in written if text and text.upper() not in self.ratings}
        self.others = {}
        if elsewhere:
            # Only staff the actor may see: a code of another ward reads as unknown, so files cannot probe it.
            for staff in Staff.objects.visible_to(actor).filter(
                staff_code__in=elsewhere | {text.upper() for text in elsewhere}
            ).select_related("unit"):
                self.others[staff.staff_code.upper()] = staff

    def check_all(self) -> tuple[list[_Change], list[RowError]]:
        """The rows to save, or the errors of every bad row, in row order."""
        changes, errors = [], []
        for number, row in self.rows:
            change, messages = self.check(number, row)
            if messages:
                errors.append(RowError(row=number, messages=messages))
            elif change is not None:
                changes.append(change)
        return changes, errors

    def check(self, number: int, row: dict) -> tuple[_Change | None, list[str]]:
        messages: list[str] = []
        rating = self._rating(number, cell_text(row["staff_code"]).upper(), messages)
        raw = {group.code: row[group_key(group)] for group in self.groups}
        points = None
        try:
            points = services.parse_group_points(self.sheet.scheme, raw, self.groups)
        except ValidationError as error:
            for group in self.groups:
                messages.extend(error.message_dict.get(group.code, []))
        remark = cell_text(row["remark"]).replace("\r\n", "\n")
        if len(remark) > MAX_REMARK_LENGTH:
            messages.append(_("Column “%(column)s” is longer than %(limit)s characters.")
                            % {"column": self.headers["remark"], "limit": MAX_REMARK_LENGTH})
        if rating is None or points is None:
            return None, messages
        current = {code: Decimal(value) for code, value in rating.points.items()}
        if points == current and remark == rating.remark:
            # Not saved: a row left as it is in the portal (a grade below B still waiting for its remark, which
            # submitting the sheet asks for) does not stop the rows the officer did change.
            return None, messages
        severities = [violation.severity for violation in rating.staff.month_violations]
        _by_points, grade = scoring.final_grade(scoring.total_of(points), scheme=self.sheet.scheme,
                                                violation_severities=severities)
        if scoring.needs_remark(grade) and not remark:
            messages.append(_("A remark is required for a grade below B (grade %(grade)s).") % {"grade": grade})
        version = self.versions.get(rating.staff.staff_code.upper())
        if version is None:
            message = _("%(name)s was added to the sheet after this file was downloaded; download the sheet again.")
            messages.append(message % {"name": rating.staff.full_name})
            return None, messages
        return _Change(row=number, rating=rating, points=points, remark=remark, expected_version=version), messages

    def _rating(self, number: int, code: str, messages: list[str]) -> Rating | None:
        """The row's rating on this sheet; a problem with the staff code is added to ``messages``."""
        if not code:
            messages.append(_("Column “%(column)s” is empty.") % {"column": self.headers["staff_code"]})
        elif self.first_row_of[code] != number:
            messages.append(_("Staff code %(code)s is repeated: it already appears on row %(row)s.")
                            % {"code": code, "row": self.first_row_of[code]})
        elif code in self.ratings:
            return self.ratings[code]
        elif code not in self.others:
            messages.append(_("Unknown staff code “%(code)s”.") % {"code": code})
        elif self.others[code].unit_id != self.sheet.unit_id:
            staff = self.others[code]
            messages.append(_("%(name)s (%(code)s) is staff of %(unit)s, not of %(sheet_unit)s.")
                            % {"name": staff.full_name, "code": code, "unit": staff.unit.name,
                               "sheet_unit": self.sheet.unit.name})
        else:
            messages.append(_("%(name)s (%(code)s) has no row on the sheet of %(month)s.")
                            % {"name": self.others[code].full_name, "code": code,
                               "month": self.sheet.period_label if self.sheet.is_quarterly else f"{self.sheet.month:%m/%Y}"})
        return None


def _save(actor, sheet: RatingSheet, groups, changes: list[_Change]) -> tuple[list[str], list[RowError]]:
    """Save every change at once (``services.rating_sheet_rows_save``: one locked read, bulk writes with history);
    if a row is stale (or still refused), none is kept."""
    rows = {change.rating.pk: change for change in changes}
    try:
        services.rating_sheet_rows_save(
            actor=actor, sheet=sheet, groups=groups,
            changes=[services.RowChange(rating_id=change.rating.pk, expected_version=change.expected_version,
                                        points={k: str(v) for k, v in change.points.items()}, remark=change.remark)
                     for change in changes],
        )
    except services.RowsRefused as refused:
        return [], [
            RowError(row=rows[refusal.rating_id].row,
                     messages=[_stale_message(rows[refusal.rating_id].rating, refusal)] if refusal.stale else refusal.messages)
            for refusal in refused.refusals
        ]
    except ValidationError:  # the sheet was approved or locked meanwhile
        sheet.refresh_from_db(fields=["status"])
        return [_("This sheet is %(status)s and can no longer be changed.") % {"status": sheet.get_status_display().lower()}], []
    return [], []


def _stale_message(rating: Rating, refusal) -> str:
    who = refusal.updated_by.get_full_name() if refusal.updated_by else _("someone")
    when = date_format(timezone.localtime(refusal.updated_at), "H:i d/m/Y")
    return _(
        "%(name)s: changed on the web by %(who)s at %(when)s, after this file was downloaded. "
        "Download the sheet again and redo your changes."
    ) % {"name": rating.staff.full_name, "who": who, "when": when}
