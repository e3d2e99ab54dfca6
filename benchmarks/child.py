"""Work done in a fresh process, so its peak memory (``ru_maxrss``) is its own: ``python -m benchmarks.child
<job> <json arguments>`` prints one JSON line (seconds, peak and baseline memory in MB, and what the job says)."""

from __future__ import annotations

import datetime
import io
import json
import resource
import sys
import tempfile
import time

import django
from django.db import connection, transaction
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell


def _rss_mb() -> float:
    """Peak resident memory of this process. VmHWM, not ``ru_maxrss``: Linux carries ``ru_maxrss`` over from
    the parent through fork and exec, so a child would report the bench process's own peak."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_portal(arguments: dict) -> dict:
    """``reports.exports.kinds.export_write`` for ratings: what the Celery export job runs (.xlsx, or .csv when
    ``arguments["format"]`` says so)."""
    # The portal's modules import models: only in the job, once ``main`` has set Django up.
    from reports.choices import ExportKind
    from reports.exports.kinds import export_write
    from reports.exports.writer import ExportRequest
    from units.models import Unit, User

    file_format = arguments.get("format", "xlsx")
    request = ExportRequest(kind=ExportKind.RATINGS, unit=Unit.objects.get(pk=arguments["unit"]),
                            start=datetime.date.fromisoformat(arguments["start"]),
                            end=datetime.date.fromisoformat(arguments["end"]), file_format=file_format)
    user = User.objects.get(username="bench.city")
    with tempfile.NamedTemporaryFile(suffix=f".{file_format}") as target:
        baseline = _rss_mb()
        started = time.perf_counter()
        rows = export_write(request=request, user=user, target=target.name)
        return {"seconds": time.perf_counter() - started, "rows": rows, "baseline_mb": baseline}


EXPORT_SQL = """
    SELECT s.month, u.name, st.staff_code, st.full_name, st.category, st.position, r.points, r.total,
           r.grade_by_points, r.grade, r.remark, s.status
    FROM evaluations_rating r JOIN evaluations_ratingsheet s ON s.id = r.sheet_id
    JOIN units_unit u ON u.id = s.unit_id JOIN units_staff st ON st.id = r.staff_id
    WHERE u.path LIKE %s AND s.month BETWEEN %s AND %s
    ORDER BY s.month, u.path, st.full_name, r.id"""


def _shared_style(sheet, number_format: str):
    template = WriteOnlyCell(sheet)
    template.number_format = number_format
    return template._style


HEADERS = ["Tháng", "Đơn vị", "Mã cán bộ", "Họ và tên", "Phân loại", "Chức vụ", "Ý thức", "Kết quả", "Điểm thưởng",
           "Tổng điểm", "Xếp loại theo điểm", "Xếp loại", "Nhận xét", "Trạng thái phiếu", "Vi phạm trong tháng"]
WIDTHS = [10, 34, 14, 28, 16, 28, 18, 18, 18, 11, 12, 10, 40, 14, 48]


def _rows(unit, arguments: dict):
    """The export's rows straight from a server-side cursor, 2,000 a round trip."""
    with transaction.atomic(), connection.connection.cursor(name="bench_export") as cursor:
        cursor.itersize = 2000
        cursor.execute(EXPORT_SQL, [unit.path + "%", arguments["start"], arguments["end"]])
        yield from cursor


def export_direct_xlsxwriter(arguments: dict) -> dict:
    """The limit: the same rows and cell formats (header, widths, frozen header row, month mm/yyyy, points 0.0)
    straight from a server-side cursor into XlsxWriter's ``constant_memory`` mode, each cell by its typed writer."""
    import xlsxwriter

    from units.models import Unit  # once Django is set up

    unit = Unit.objects.get(pk=arguments["unit"])
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as target:
        baseline = _rss_mb()
        started = time.perf_counter()
        workbook = xlsxwriter.Workbook(target.name, {"constant_memory": True, "strings_to_formulas": False,
                                                     "strings_to_urls": False, "strings_to_numbers": False})
        sheet = workbook.add_worksheet("Đánh giá xếp loại")
        header = workbook.add_format({"bold": True, "bg_color": "#DDE6F0", "pattern": 1, "valign": "vcenter",
                                      "text_wrap": True})
        month_format, points_format = workbook.add_format({"num_format": "mm/yyyy"}), workbook.add_format({"num_format": "0.0"})
        for column, (title, width) in enumerate(zip(HEADERS, WIDTHS, strict=True)):
            sheet.set_column(column, column, width)
            sheet.write_string(0, column, title, header)
        sheet.freeze_panes(1, 0)
        rows = 0
        write_string, write_number = sheet.write_string, sheet.write_number
        for month, unit_name, code, name, category, position, points, total, by_points, grade, remark, status in _rows(unit, arguments):
            row = rows + 1
            points = json.loads(points)  # Django's connection hands jsonb over as text
            sheet.write_datetime(row, 0, month, month_format)
            write_string(row, 1, unit_name)
            write_string(row, 2, code)
            write_string(row, 3, name)
            write_string(row, 4, category)
            if position:
                write_string(row, 5, position)
            write_number(row, 6, float(points["discipline"]), points_format)
            write_number(row, 7, float(points["tasks"]), points_format)
            write_number(row, 8, float(points["bonus"]), points_format)
            write_number(row, 9, float(total), points_format)
            write_string(row, 10, by_points)
            write_string(row, 11, grade)
            if remark:
                write_string(row, 12, remark)
            write_string(row, 13, status)
            rows += 1
        workbook.close()
        return {"seconds": time.perf_counter() - started, "rows": rows, "baseline_mb": baseline}


def export_direct_csv(arguments: dict) -> dict:
    """The limit of the CSV export: the same rows straight from a server-side cursor into ``csv.writer`` (UTF-8
    with a byte-order mark, the month as mm/yyyy)."""
    import csv

    from units.models import Unit  # once Django is set up

    unit = Unit.objects.get(pk=arguments["unit"])
    with tempfile.NamedTemporaryFile(suffix=".csv") as target:
        baseline = _rss_mb()
        started = time.perf_counter()
        rows = 0
        with open(target.name, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            for month, unit_name, code, name, category, position, points, total, by_points, grade, remark, status in _rows(unit, arguments):
                points = json.loads(points)
                writer.writerow([month.strftime("%m/%Y"), unit_name, code, name, category, position,
                                 float(points["discipline"]), float(points["tasks"]), float(points["bonus"]),
                                 float(total), by_points, grade, remark, status, ""])
                rows += 1
        return {"seconds": time.perf_counter() - started, "rows": rows, "baseline_mb": baseline}


def export_direct(arguments: dict) -> dict:
    """For the record: the same rows and columns straight from a server-side cursor into openpyxl's write-only
    mode (the limit until XlsxWriter replaced openpyxl in the exports)."""
    from units.models import Unit  # once Django is set up

    unit = Unit.objects.get(pk=arguments["unit"])
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as target:
        baseline = _rss_mb()
        started = time.perf_counter()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Đánh giá xếp loại")
        sheet.append(["Tháng", "Đơn vị", "Mã cán bộ", "Họ và tên", "Phân loại", "Chức vụ", "Ý thức", "Kết quả",
                      "Điểm thưởng", "Tổng điểm", "Xếp loại theo điểm", "Xếp loại", "Nhận xét", "Trạng thái phiếu",
                      "Vi phạm trong tháng"])
        rows = 0
        with transaction.atomic(), connection.connection.cursor(name="bench_export") as cursor:
            cursor.itersize = 2000
            cursor.execute(EXPORT_SQL, [unit.path + "%", arguments["start"], arguments["end"]])
            # The same cells as the portal's file: the month as a date formatted mm/yyyy, points formatted 0.0 (a
            # style made once and shared, the fastest way openpyxl offers), the rest as plain values.
            month_style, points_style = _shared_style(sheet, "mm/yyyy"), _shared_style(sheet, "0.0")

            def styled(value, style):
                cell = WriteOnlyCell(sheet, value=value)
                cell._style = style
                return cell

            for month, unit_name, code, name, category, position, points, total, by_points, grade, remark, status in cursor:
                points = json.loads(points)  # Django's connection hands jsonb over as text
                sheet.append([styled(month, month_style), unit_name, code, name, category, position,
                              styled(float(points["discipline"]), points_style), styled(float(points["tasks"]), points_style),
                              styled(float(points["bonus"]), points_style), styled(float(total), points_style), by_points,
                              grade, remark, status, ""])
                rows += 1
        workbook.save(target.name)
        return {"seconds": time.perf_counter() - started, "rows": rows, "baseline_mb": baseline}


def import_units(arguments: dict) -> dict:
    """``import_units --province all`` into the (fresh) database of this process, then the same rows written
    again with COPY into emptied tables, the limit."""
    from units.unit_import import units_import  # once Django is set up

    started = time.perf_counter()
    units_import(province=None, structure="both")
    seconds = time.perf_counter() - started
    tables = ["units_unit", "units_historicalunit", "units_unit_merged_from"]
    dumps = {}
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for table in tables:
            buffer = io.StringIO()
            raw.copy_expert(f'COPY "{table}" TO STDOUT', buffer)
            dumps[table] = buffer.getvalue()
        cursor.execute("SELECT count(*) FROM units_unit")
        (units,) = cursor.fetchone()
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        copy_started = time.perf_counter()
        for table in tables:
            raw.copy_expert(f'COPY "{table}" FROM STDIN', io.StringIO(dumps[table]))
        copy_seconds = time.perf_counter() - copy_started
    return {"seconds": seconds, "rows": units, "copy_seconds": copy_seconds, "baseline_mb": 0}


JOBS = {
    "export_portal": export_portal,
    "export_direct": export_direct,
    "export_direct_xlsxwriter": export_direct_xlsxwriter,
    "export_direct_csv": export_direct_csv,
    "import_units": import_units,
}


def main() -> None:
    job, arguments = sys.argv[1], json.loads(sys.argv[2])
    django.setup()
    result = JOBS[job](arguments)
    result["peak_mb"] = _rss_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
