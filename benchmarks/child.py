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
    """``reports.exports.kinds.export_write`` for ratings: what the Celery export job runs."""
    # The portal's modules import models: only in the job, once ``main`` has set Django up.
    from reports.choices import ExportKind
    from reports.exports.kinds import export_write
    from reports.exports.writer import ExportRequest
    from units.models import Unit, User

    request = ExportRequest(kind=ExportKind.RATINGS, unit=Unit.objects.get(pk=arguments["unit"]),
                            start=datetime.date.fromisoformat(arguments["start"]),
                            end=datetime.date.fromisoformat(arguments["end"]))
    user = User.objects.get(username="bench.city")
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as target:
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


def export_direct(arguments: dict) -> dict:
    """The same rows and columns straight from a server-side cursor into openpyxl's write-only mode."""
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


JOBS = {"export_portal": export_portal, "export_direct": export_direct, "import_units": import_units}


def main() -> None:
    job, arguments = sys.argv[1], json.loads(sys.argv[2])
    django.setup()
    result = JOBS[job](arguments)
    result["peak_mb"] = _rss_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
