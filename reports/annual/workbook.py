"""The annual summary (tổng kết năm) as an Excel workbook: a summary sheet, then one sheet (or two) per section of
``reports.annual.selectors``, in the order of ``AnnualReport.data["sections"]``.

Written from the figures stored in ``AnnualReport.data``, so the file and the page always agree. For Vietnamese
offices: headers and labels are Vietnamese whatever the page's language. Every sheet keeps its header row frozen;
counts are numbers, shares real percentages, months real dates; the year's distributions and trends carry native
Excel charts that follow the cells.
"""

from __future__ import annotations

from collections.abc import Callable
import datetime
from pathlib import Path

from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.xlsx import DATE_FORMAT, new_workbook
from reports.quarterly.workbook import (
    CHANNEL_LABELS,
    KIND_LABELS,
    MONTH_FORMAT,
    NUMBER_FORMAT,
    PERCENT_FORMAT,
    SEVERITY_LABELS,
    TOTAL_LABEL,
    _header,
    _new_sheet,
    _row,
)

YEAR_LABEL = "Cả năm"
SHEET_SUMMARY = "Tổng hợp"
SHEET_COVERAGE = "Ký cam kết"
SHEET_RATINGS = "Xếp loại theo tháng"
SHEET_RATINGS_DETAIL = "Xếp loại theo đơn vị"
SHEET_VIOLATIONS = "Vi phạm"
SHEET_INSPECTIONS = "Kiểm tra"
SHEET_FEEDBACK = "Phản ánh"
SHEET_COMMENDATIONS = "Biểu dương các quý"
SHEET_CLASSIFICATION = "Xếp loại chất lượng năm"
SHEET_YEAR_COMMENDATIONS = "Biểu dương năm"

LIST_STATUS_LABELS = {
    "open": "Đang đánh giá", "submitted": "Đã trình cấp trên", "approved": "Đã phê duyệt",
    "partly_approved": "Phê duyệt một phần", None: "Chưa lập danh sách",
}
COMMENDATION_STATUS_LABELS = {"draft": "Dự thảo", "approved": "Đã phê duyệt"}

INSPECTION_HEADERS = {
    "visits": ("Lượt kiểm tra đã tiến hành", 14), "scheduled": ("Theo kế hoạch", 12), "surprise": ("Đột xuất", 10),
    "findings": ("Phát hiện", 10), "actions_done": ("Khắc phục xong", 12), "actions_open": ("Chưa khắc phục", 12),
    "actions_overdue": ("Quá hạn", 10),
}


def annual_report_file_name(*, public_code: str, year: int) -> str:
    """Where a unit's summary lives under MEDIA_ROOT."""
    return f"reports/annual/{public_code}/{year}.xlsx"


def _percent(value: float | None) -> float | None:
    return None if value is None else value / 100


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _unit(row: dict) -> str:
    """A row's unit, with the last day it was in force when that was during the year."""
    until = _day(row.get("until"))
    return f"{row['unit']} (đến {until:%d/%m/%Y})" if until else row["unit"]


def _show_axes(chart):
    """Write the axes as shown: openpyxl leaves their ``delete`` flag out, which Excel reads as hidden axes."""
    chart.x_axis.delete = chart.y_axis.delete = False
    return chart


def _month_chart(chart, *, sheet, min_col: int, max_col: int, last_row: int, title: str, y_title: str):
    """Series from columns ``min_col``–``max_col`` (headers in row 1), one point per month (rows 2–13, the
    month's date in column A)."""
    chart.title = title
    chart.y_axis.title = y_title
    chart.add_data(Reference(sheet, min_col=min_col, max_col=max_col, min_row=1, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last_row))
    chart.x_axis.number_format = MONTH_FORMAT
    chart.height, chart.width = 9, 20
    return _show_axes(chart)


def _summary(workbook, data: dict) -> None:
    sheet = workbook.active
    sheet.title = SHEET_SUMMARY
    sheet["A1"] = f"BÁO CÁO TỔNG KẾT NĂM {data['year']}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = data["unit"]["name"]
    sheet["A2"].font = Font(bold=True)
    if data["formed_from"]:
        sheet["A3"] = "Hình thành từ: " + ", ".join(_unit({"unit": f["name"], "until": f["until"]}) for f in data["formed_from"])
        sheet["A3"].font = Font(italic=True)
    _header(sheet, 4, [("Chỉ tiêu", 56), ("Giá trị", 16)])
    sheet.freeze_panes = "A5"
    ratings, feedback = data["ratings"]["total"], data["feedback"]
    inspections, commendations = data["inspections"]["total"], data["commendations"]
    lines: list[tuple[str, object, str | None]] = [
        ("Từ ngày", _day(data["first_day"]), DATE_FORMAT),
        ("Đến ngày", _day(data["last_day"]), DATE_FORMAT),
        ("Ngày lập báo cáo", _day(data["generated_on"]), DATE_FORMAT),
    ]
    for campaign in data["coverage"]:
        title = campaign["campaign"] or "đợt ký cam kết của các đơn vị"
        lines.append((f"Tỷ lệ ký cam kết — {title}", _percent(campaign["total"]["percent"]), PERCENT_FORMAT))
    lines += [
        ("Số lượt xếp loại trong năm (phiếu đã gửi)", ratings["rated"], NUMBER_FORMAT),
        *[(f"Tỷ lệ loại {grade}", _percent(value), PERCENT_FORMAT)
          for grade, value in zip(data["ratings"]["grades"], ratings["shares"], strict=True)],
        ("Số vi phạm", data["violations"]["total"], NUMBER_FORMAT),
        ("Số lượt kiểm tra đã tiến hành", inspections["visits"], NUMBER_FORMAT),
        ("Số phát hiện", inspections["findings"], NUMBER_FORMAT),
        ("Biện pháp khắc phục đã xong", inspections["actions_done"], NUMBER_FORMAT),
        ("Biện pháp khắc phục chưa xong", inspections["actions_open"], NUMBER_FORMAT),
        ("Biện pháp khắc phục quá hạn", inspections["actions_overdue"], NUMBER_FORMAT),
        ("Số phản ánh, kiến nghị nhận được", feedback["total"], NUMBER_FORMAT),
        ("Chỉ số hài lòng cả năm", _percent(feedback["satisfaction"]), PERCENT_FORMAT),
        ("Mức hài lòng với việc giải quyết", _percent(feedback.get("handling")), PERCENT_FORMAT),
        ("Tỷ lệ giải quyết đúng hạn", _percent(feedback["on_time"]), PERCENT_FORMAT),
        ("Số danh sách biểu dương quý đã phê duyệt", len(commendations["lists"]), NUMBER_FORMAT),
        ("Số cán bộ được biểu dương trong năm", len(commendations["staff"]), NUMBER_FORMAT),
    ]
    classification = data.get("annual_classification")
    if classification is not None:  # summaries built before the section existed have none
        total = classification["total"]
        lines += [
            ("Số danh sách xếp loại chất lượng năm đã phê duyệt", classification["lists_approved"], NUMBER_FORMAT),
            ("Số cán bộ được xếp loại chất lượng năm", total["classified"], NUMBER_FORMAT),
            *[(f"Tỷ lệ xếp loại năm {grade}", _percent(value), PERCENT_FORMAT)
              for grade, value in zip(classification["grades"], total["shares"], strict=True)],
        ]
    year_list = data.get("year_commendations")
    if year_list is not None:
        lines.append(("Số cán bộ trong danh sách biểu dương năm", len(year_list["entries"]), NUMBER_FORMAT))
    for offset, (label, value, fmt) in enumerate(lines):
        _row(sheet, 5 + offset, [label, value], {1: fmt} if fmt else None)


def _coverage(workbook, data: dict) -> None:
    sheet = _new_sheet(workbook, SHEET_COVERAGE, [("Đơn vị", 40), ("Đợt ký cam kết", 40), ("Phải ký", 10),
                                                   ("Đã ký", 10), ("Chưa ký", 10), ("Tỷ lệ", 10), ("Chỉ tiêu", 10)])
    row = 2
    for campaign in data["coverage"]:
        for line in campaign["rows"]:
            target = line.get("target", campaign["target"])
            _row(sheet, row, [_unit(line), line.get("campaign", campaign["campaign"]), line["expected"], line["signed"],
                              line["unsigned"], _percent(line["percent"]), target / 100 if target is not None else None],
                 {5: PERCENT_FORMAT, 6: "0%"})
            row += 1
        total = campaign["total"]
        _row(sheet, row, [TOTAL_LABEL, campaign["campaign"] or "Các đợt của từng đơn vị", total["expected"], total["signed"],
                          total["unsigned"], _percent(total["percent"]),
                          campaign["target"] / 100 if campaign["target"] is not None else None],
             {5: PERCENT_FORMAT, 6: "0%"}, bold=True)
        row += 1
    if not data["coverage"]:
        sheet.cell(row=2, column=1, value="Không có đợt ký cam kết nào trong năm.").font = Font(italic=True)


def _grade_line(label, block: dict) -> list:
    return [label, *block["counts"], block["rated"], *[_percent(s) for s in block["shares"]], block["submitted"],
            block["approved"]]


def _ratings(workbook, data: dict) -> None:
    section = data["ratings"]
    grades = section["grades"]
    months = [datetime.date.fromisoformat(m) for m in section["months"]]
    headers = [*[(f"Loại {g}", 9) for g in grades], ("Tổng số", 10), *[(f"Tỷ lệ {g}", 9) for g in grades],
               ("Phiếu đã gửi", 11), ("Phiếu đã duyệt", 11)]
    n = len(grades)
    shares = {1 + n + 1 + i: PERCENT_FORMAT for i in range(n)}

    # Month by month, every unit together, with the year below and a chart of the grades by month.
    sheet = _new_sheet(workbook, SHEET_RATINGS, [("Tháng", 14), *headers])
    for offset, (month, block) in enumerate(zip(months, section["month_totals"], strict=True)):
        _row(sheet, 2 + offset, _grade_line(month, block), {0: MONTH_FORMAT, **shares})
    _row(sheet, 14, _grade_line(YEAR_LABEL, section["total"]), shares, bold=True)
    chart = _month_chart(BarChart(), sheet=sheet, min_col=2, max_col=1 + n, last_row=13,
                         title="Xếp loại theo tháng", y_title="Số lượt xếp loại")
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    sheet.add_chart(chart, "A17")

    # The year per unit, with a chart of the distribution of each.
    column = len(headers) + 3
    _header(sheet, 1, [("Đơn vị (cả năm)", 40), *[(f"Loại {g}", 9) for g in grades], ("Tổng số", 10)], column=column)
    for offset, unit_row in enumerate(section["rows"]):
        _row(sheet, 2 + offset, [_unit(unit_row), *unit_row["year"]["counts"], unit_row["year"]["rated"]], column=column)
    if section["rows"]:
        distribution = BarChart()
        distribution.type, distribution.grouping, distribution.overlap = "bar", "percentStacked", 100
        distribution.title = "Phân bố xếp loại cả năm theo đơn vị"
        distribution.add_data(Reference(sheet, min_col=column + 1, max_col=column + n, min_row=1,
                                        max_row=1 + len(section["rows"])), titles_from_data=True)
        distribution.set_categories(Reference(sheet, min_col=column, min_row=2, max_row=1 + len(section["rows"])))
        distribution.height, distribution.width = max(9, 0.6 * len(section["rows"])), 22
        sheet.add_chart(_show_axes(distribution), f"{get_column_letter(column)}{len(section['rows']) + 4}")

    # Every unit month by month: each month under the units that existed then.
    detail = _new_sheet(workbook, SHEET_RATINGS_DETAIL, [("Đơn vị", 40), ("Tháng", 10), *headers])
    formats = {1: MONTH_FORMAT, **{key + 1: value for key, value in shares.items()}}
    row = 2
    for unit_row in section["rows"]:
        for month, block in zip(months, unit_row["months"], strict=True):
            if block["rated"] or block["sheets"]:
                _row(detail, row, [_unit(unit_row), *_grade_line(month, block)], formats)
                row += 1
        _row(detail, row, [_unit(unit_row), *_grade_line(YEAR_LABEL, unit_row["year"])], formats, bold=True)
        row += 1


def _violations(workbook, data: dict) -> None:
    section = data["violations"]
    severity_headers = [(SEVERITY_LABELS.get(s, s), 12) for s in section["severities"]]
    sheet = _new_sheet(workbook, SHEET_VIOLATIONS, [("Tháng", 14), *severity_headers, ("Tổng số", 10)])
    for offset, line in enumerate(section["by_month"]):
        _row(sheet, 2 + offset, [_day(line["month"]), *line["counts"], line["total"]], {0: MONTH_FORMAT})
    _row(sheet, 14, [YEAR_LABEL, *section["totals"], section["total"]], bold=True)
    chart = _month_chart(BarChart(), sheet=sheet, min_col=2, max_col=1 + len(section["severities"]), last_row=13,
                         title="Vi phạm theo tháng và mức độ", y_title="Số vi phạm")
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    sheet.add_chart(chart, "A17")
    column = len(section["severities"]) + 4
    _header(sheet, 1, [("Đơn vị", 40), *severity_headers, ("Tổng số", 10)], column=column)
    for offset, unit_row in enumerate(section["rows"]):
        _row(sheet, 2 + offset, [_unit(unit_row), *unit_row["counts"], unit_row["total"]], column=column)


def _inspections(workbook, data: dict) -> None:
    section = data["inspections"]
    keys = section["keys"]
    headers = [INSPECTION_HEADERS[key] for key in keys]
    sheet = _new_sheet(workbook, SHEET_INSPECTIONS, [("Tháng", 14), *headers])
    for offset, line in enumerate(section["by_month"]):
        _row(sheet, 2 + offset, [_day(line["month"]), *[line[k] for k in keys]], {0: MONTH_FORMAT})
    _row(sheet, 14, [YEAR_LABEL, *[section["total"][k] for k in keys]], bold=True)
    note = sheet.cell(row=15, column=1, value="Quá hạn: tính đến ngày")
    note.font = Font(italic=True)
    _row(sheet, 15, [_day(section["as_of"])], {0: DATE_FORMAT}, column=2)
    chart = _month_chart(BarChart(), sheet=sheet, min_col=2, max_col=2, last_row=13,
                         title="Lượt kiểm tra và phát hiện theo tháng", y_title="Số lượng")
    chart.type = "col"
    findings = keys.index("findings") + 2
    chart.add_data(Reference(sheet, min_col=findings, max_col=findings, min_row=1, max_row=13), titles_from_data=True)
    sheet.add_chart(chart, "A18")
    column = len(keys) + 3
    _header(sheet, 1, [("Đơn vị", 40), *headers], column=column)
    for offset, unit_row in enumerate(section["rows"]):
        _row(sheet, 2 + offset, [_unit(unit_row), *[unit_row[k] for k in keys]], column=column)


def _feedback(workbook, data: dict) -> None:
    section = data["feedback"]
    sheet = _new_sheet(workbook, SHEET_FEEDBACK, [
        ("Tháng", 14), ("Phản ánh nhận được", 12), ("Lượt đánh giá", 12), ("Hài lòng", 10), ("Chỉ số hài lòng", 12),
        ("Đã giải quyết", 12), ("Đúng hạn", 10), ("Tồn quá hạn cuối tháng", 14), ("Tỷ lệ đúng hạn", 12),
        ("Lượt đánh giá việc giải quyết", 14), ("Hài lòng với việc giải quyết", 14)])
    formats = {0: MONTH_FORMAT, 4: PERCENT_FORMAT, 8: PERCENT_FORMAT, 10: PERCENT_FORMAT}
    for offset, month in enumerate(section["months"]):
        _row(sheet, 2 + offset, [_day(month["month"]), month["received"], month["rated"], month["satisfied"],
                                 _percent(month["satisfaction"]), month["closed"], month["on_time_closed"],
                                 month["open_late"], _percent(month["on_time"]), month.get("handling_rated", 0),
                                 _percent(month.get("handling"))], formats)
    _row(sheet, 14, [YEAR_LABEL, section["total"], section["rated"], None, _percent(section["satisfaction"]),
                     section["closed"], None, None, _percent(section["on_time"]), section.get("handling_rated", 0),
                     _percent(section.get("handling"))], formats, bold=True)
    trend = _month_chart(LineChart(), sheet=sheet, min_col=5, max_col=5, last_row=13,
                         title="Chỉ số hài lòng theo tháng", y_title="Chỉ số hài lòng")
    trend.y_axis.number_format = "0%"
    trend.y_axis.scaling.min, trend.y_axis.scaling.max = 0, 1
    sheet.add_chart(trend, "M2")

    # By kind per unit, then kinds and channels in all, below.
    row = 17
    kind_headers = [(KIND_LABELS.get(k, k), 12) for k in section["kinds"]]
    n = len(section["kinds"])
    _header(sheet, row, [("Đơn vị", 40), *kind_headers, ("Tổng số", 10), ("Chỉ số hài lòng", 12), ("Tỷ lệ đúng hạn", 12),
                         ("Hài lòng với việc giải quyết", 14)])
    unit_formats = {n + 2: PERCENT_FORMAT, n + 3: PERCENT_FORMAT, n + 4: PERCENT_FORMAT}
    for line in section["rows"]:
        row += 1
        _row(sheet, row, [_unit(line), *line["counts"], line["total"], _percent(line["satisfaction"]),
                          _percent(line["on_time"]), _percent(line.get("handling"))], unit_formats)
    row += 1
    _row(sheet, row, [TOTAL_LABEL, *section["kind_totals"], section["total"], _percent(section["satisfaction"]),
                      _percent(section["on_time"]), _percent(section.get("handling"))], unit_formats, bold=True)

    row += 3
    _header(sheet, row, [("Loại phản ánh", 40), ("Số lượng", 12)])
    kind_first = row
    for kind, count in zip(section["kinds"], section["kind_totals"], strict=True):
        row += 1
        _row(sheet, row, [KIND_LABELS.get(kind, kind), count])
    kinds = BarChart()
    kinds.type, kinds.title, kinds.y_axis.title = "bar", "Phản ánh theo loại", "Số phản ánh"
    kinds.add_data(Reference(sheet, min_col=2, min_row=kind_first, max_row=row), titles_from_data=True)
    kinds.set_categories(Reference(sheet, min_col=1, min_row=kind_first + 1, max_row=row))
    kinds.height, kinds.width = 9, 16
    sheet.add_chart(_show_axes(kinds), f"{get_column_letter(n + 6)}{kind_first}")

    row += 2
    _header(sheet, row, [("Kênh tiếp nhận", 40), ("Số lượng", 12)])
    channel_first = row
    for channel, count in zip(section["channels"], section["channel_counts"], strict=True):
        row += 1
        _row(sheet, row, [CHANNEL_LABELS.get(channel, channel), count])
    pie = PieChart()
    pie.title = "Phản ánh theo kênh tiếp nhận"
    pie.add_data(Reference(sheet, min_col=2, min_row=channel_first, max_row=row), titles_from_data=True)
    pie.set_categories(Reference(sheet, min_col=1, min_row=channel_first + 1, max_row=row))
    pie.height, pie.width = 9, 14
    sheet.add_chart(pie, f"{get_column_letter(n + 6)}{kind_first + 20}")


def _commendations(workbook, data: dict) -> None:
    section = data["commendations"]
    sheet = _new_sheet(workbook, SHEET_COMMENDATIONS, [
        ("STT", 6), ("Họ và tên", 30), ("Mã cán bộ", 12), ("Chức vụ", 30), ("Đơn vị", 34),
        ("Số quý được biểu dương", 12), ("Các quý", 16)])
    sheet.freeze_panes = "A2"
    row = 2
    for number, person in enumerate(section["staff"], start=1):
        _row(sheet, row, [number, person["name"], person["staff_code"], person["position"], person["unit"],
                          person["times"], ", ".join(f"Quý {q}" for q in person["quarters"])])
        row += 1
    if not section["staff"]:
        sheet.cell(row=row, column=2, value="Không có danh sách biểu dương quý nào được phê duyệt trong năm.").font = \
            Font(italic=True)
        row += 1
    row += 1
    _header(sheet, row, [("Quý", 6), ("Danh sách của đơn vị", 30), ("Ngày phê duyệt", 12), ("Người phê duyệt", 30),
                         ("Số người", 34)])
    for line in section["lists"]:
        row += 1
        _row(sheet, row, [line["quarter"], line["unit"], _day(line["approved_on"]), line["approved_by"], line["count"]],
             {2: DATE_FORMAT})


def _classification(workbook, data: dict) -> None:
    section = data["annual_classification"]
    grades = section["grades"]
    n = len(grades)
    sheet = _new_sheet(workbook, SHEET_CLASSIFICATION, [
        ("Đơn vị", 40), *[(f"Loại {g}", 9) for g in grades], ("Tổng số được xếp loại", 12),
        ("Không xếp loại (chưa đủ thời gian)", 14), *[(f"Tỷ lệ {g}", 9) for g in grades], ("Danh sách", 20)])
    shares = {1 + n + 2 + i: PERCENT_FORMAT for i in range(n)}

    def line(label, block, status):
        return [label, *block["counts"], block["classified"], block["not_classified"],
                *[_percent(v) for v in block["shares"]], status]

    row = 2
    for unit_row in section["rows"]:
        status = LIST_STATUS_LABELS.get(unit_row["status"], unit_row["status"])
        if unit_row["status"] == "partly_approved":
            status = f"{status} ({unit_row['lists_approved']}/{unit_row['lists']})"
        _row(sheet, row, line(_unit(unit_row), unit_row, status), shares)
        row += 1
    _row(sheet, row, line(TOTAL_LABEL, section["total"],
                          f"{section['lists_approved']}/{section['lists']} đã phê duyệt"), shares, bold=True)
    total_row = row
    note = sheet.cell(row=row + 1, column=1,
                      value="Chỉ tính các danh sách xếp loại chất lượng năm đã được cấp trên phê duyệt.")
    note.font = Font(italic=True)

    # The year's grades in all, as a pie, and each unit's distribution, as bars.
    first = total_row + 3
    _header(sheet, first, [("Xếp loại chất lượng năm", 40), ("Số người", 12)])
    for offset, (grade, count) in enumerate(zip(grades, section["total"]["counts"], strict=True), start=1):
        _row(sheet, first + offset, [f"Loại {grade}", count])
    pie = PieChart()
    pie.title = "Xếp loại chất lượng năm"
    pie.add_data(Reference(sheet, min_col=2, min_row=first, max_row=first + n), titles_from_data=True)
    pie.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=first + n))
    pie.height, pie.width = 9, 14
    sheet.add_chart(pie, f"A{first + n + 2}")
    if section["rows"]:
        bars = BarChart()
        bars.type, bars.grouping, bars.overlap = "bar", "percentStacked", 100
        bars.title = "Xếp loại chất lượng năm theo đơn vị"
        bars.add_data(Reference(sheet, min_col=2, max_col=1 + n, min_row=1, max_row=1 + len(section["rows"])),
                      titles_from_data=True)
        bars.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=1 + len(section["rows"])))
        bars.height, bars.width = max(9, 0.6 * len(section["rows"])), 20
        sheet.add_chart(_show_axes(bars), f"{get_column_letter(n + 6)}{first + n + 2}")


def _year_commendations(workbook, data: dict) -> None:
    section = data["year_commendations"]
    sheet = _new_sheet(workbook, SHEET_YEAR_COMMENDATIONS, [
        ("STT", 6), ("Họ và tên", 30), ("Mã cán bộ", 12), ("Chức vụ", 30), ("Đơn vị", 34),
        ("Xếp loại chất lượng năm", 12), ("Điểm bình quân năm", 12), ("Số lượt khen của người dân", 13)])
    sheet.freeze_panes = "A2"
    row = 2
    for entry in section["entries"]:
        _row(sheet, row, [entry["rank"], entry["name"], entry["staff_code"], entry["position"], entry["unit"],
                          entry["grades"], entry["total_score"], entry["praise"]], {6: "0.0"})
        row += 1
    if not section["entries"]:
        sheet.cell(row=row, column=2, value="Không có cán bộ nào trong danh sách biểu dương năm.").font = Font(italic=True)
        row += 1
    row += 1
    status = COMMENDATION_STATUS_LABELS.get(section["status"], section["status"])
    for label, value, fmt in (
        ("Trạng thái danh sách", status, None),
        ("Tiêu chí", section["rule"], None),
        ("Ngày phê duyệt", _day(section["approved_on"]), DATE_FORMAT),
        ("Người phê duyệt", section["approved_by"], None),
    ):
        sheet.cell(row=row, column=1, value=label).font = Font(bold=True)
        _row(sheet, row, [value], {0: fmt} if fmt else None, column=2)
        row += 1


# One writer per section key (``AnnualReport.data["sections"]``); a section added to the build adds its sheet here.
SECTION_WRITERS: dict[str, Callable[[object, dict], None]] = {
    "coverage": _coverage,
    "ratings": _ratings,
    "annual_classification": _classification,
    "violations": _violations,
    "inspections": _inspections,
    "feedback": _feedback,
    "commendations": _commendations,
    "year_commendations": _year_commendations,
}


def annual_workbook(*, data: dict, target: Path) -> None:
    """Write the workbook of a summary's figures (``AnnualReport.data``) to ``target``."""
    workbook = new_workbook()
    _summary(workbook, data)
    for key in data["sections"]:
        SECTION_WRITERS[key](workbook, data)
    workbook.save(target)
