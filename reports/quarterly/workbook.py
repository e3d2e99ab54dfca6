"""The quarterly review as an Excel workbook: a summary sheet, then one sheet per section of
``reports.quarterly.selectors`` (pledges, ratings, violations, inspections, feedback, commendations).

Written from the figures stored in ``QuarterlyReport.data``, so the file and the page always agree. For
Vietnamese offices: headers and labels are Vietnamese whatever the page's language. Every sheet keeps its
header row frozen; counts are numbers, shares real percentages, months real dates; the distributions carry
native Excel charts that follow the cells.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.xlsx import DATE_FORMAT, new_workbook

MONTH_FORMAT = "mm/yyyy"
PERCENT_FORMAT = "0.0%"
NUMBER_FORMAT = "#,##0"
SCORE_FORMAT = "0.0"
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
TOTAL_LABEL = "Cộng"

SHEET_SUMMARY = "Tổng hợp"
SHEET_COVERAGE = "Ký cam kết"
SHEET_RATINGS = "Xếp loại"
SHEET_VIOLATIONS = "Vi phạm"
SHEET_INSPECTIONS = "Kiểm tra"
SHEET_FEEDBACK = "Phản ánh"
SHEET_COMMENDATIONS = "Khen thưởng"

SEVERITY_LABELS = {"minor": "Nhẹ", "serious": "Nghiêm trọng", "very_serious": "Rất nghiêm trọng"}
KIND_LABELS = {"praise": "Khen ngợi", "attitude": "Thái độ cán bộ", "harassment": "Nhũng nhiễu, tiêu cực",
               "delay": "Chậm giải quyết hồ sơ", "facilities": "Cơ sở vật chất", "other": "Khác"}
CHANNEL_LABELS = {"web": "Cổng trực tuyến", "hotline": "Đường dây nóng", "mailbox": "Hòm thư góp ý",
                  "comment_book": "Sổ góp ý", "survey_slip": "Phiếu khảo sát"}
LIST_STATUS_LABELS = {"draft": "Dự thảo", "approved": "Đã phê duyệt"}


def report_file_name(*, public_code: str, year: int, quarter: int) -> str:
    """Where a unit's report lives under MEDIA_ROOT."""
    return f"reports/quarterly/{public_code}/{year}-q{quarter}.xlsx"


def _percent(value: float | None) -> float | None:
    return None if value is None else value / 100


def _header(sheet, row: int, headers: list[tuple[str, float]], column: int = 1) -> None:
    for offset, (text, width) in enumerate(headers):
        cell = sheet.cell(row=row, column=column + offset, value=text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        letter = get_column_letter(column + offset)
        sheet.column_dimensions[letter].width = max(sheet.column_dimensions[letter].width or 0, width)


def _row(sheet, row: int, values: list, formats: dict[int, str] | None = None, *, bold: bool = False, column: int = 1):
    for offset, value in enumerate(values):
        cell = sheet.cell(row=row, column=column + offset, value=value)
        fmt = (formats or {}).get(offset)
        if fmt:
            cell.number_format = fmt
        elif isinstance(value, int):
            cell.number_format = NUMBER_FORMAT
        if bold:
            cell.font = Font(bold=True)


def _new_sheet(workbook, title: str, headers: list[tuple[str, float]]):
    sheet = workbook.create_sheet(title)
    _header(sheet, 1, headers)
    sheet.freeze_panes = "B2"
    return sheet


def _bar_chart(title: str, *, sheet, min_col: int, max_col: int, min_row: int, max_row: int, y_title: str,
               stacked: bool = False) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.y_axis.title = y_title
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    data = Reference(sheet, min_col=min_col, max_col=max_col, min_row=min_row, max_row=max_row)
    categories = Reference(sheet, min_col=1, min_row=min_row + 1, max_row=max_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    chart.height, chart.width = 9, 18
    return chart


def _summary(workbook, data: dict) -> None:
    sheet = workbook.active
    sheet.title = SHEET_SUMMARY
    quarter, unit = data["quarter"], data["unit"]
    sheet["A1"] = f"BÁO CÁO SƠ KẾT QUÝ {quarter['number']}/{quarter['year']}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = unit["name"]
    sheet["A2"].font = Font(bold=True)
    _header(sheet, 4, [("Chỉ tiêu", 52), ("Giá trị", 16)])
    sheet.freeze_panes = "A5"
    ratings, feedback = data["ratings"]["total"], data["feedback"]
    inspections = data["inspections"]["total"]
    lines: list[tuple[str, object, str | None]] = [
        ("Từ ngày", datetime.date.fromisoformat(quarter["first_day"]), DATE_FORMAT),
        ("Đến ngày", datetime.date.fromisoformat(quarter["last_day"]), DATE_FORMAT),
        ("Ngày lập báo cáo", datetime.date.fromisoformat(data["generated_on"]), DATE_FORMAT),
    ]
    for campaign in data["coverage"]:
        lines.append((f"Tỷ lệ ký cam kết — {campaign['campaign']}", _percent(campaign["total"]["percent"]), PERCENT_FORMAT))
    lines += [
        ("Số lượt xếp loại (phiếu đã gửi)", ratings["rated"], NUMBER_FORMAT),
        *[(f"Tỷ lệ loại {grade}", _percent(value), PERCENT_FORMAT)
          for grade, value in zip(data["ratings"]["grades"], ratings["shares"], strict=True)],
        ("Số vi phạm", data["violations"]["total"], NUMBER_FORMAT),
        ("Số lượt kiểm tra đã tiến hành", inspections["visits"], NUMBER_FORMAT),
        ("Số phát hiện", inspections["findings"], NUMBER_FORMAT),
        ("Biện pháp khắc phục quá hạn", inspections["actions_overdue"], NUMBER_FORMAT),
        ("Số phản ánh, kiến nghị nhận được", feedback["total"], NUMBER_FORMAT),
        ("Chỉ số hài lòng", _percent(feedback["satisfaction"]), PERCENT_FORMAT),
        ("Mức hài lòng với việc giải quyết", _percent(feedback.get("handling")), PERCENT_FORMAT),
        ("Tỷ lệ giải quyết đúng hạn", _percent(feedback["on_time"]), PERCENT_FORMAT),
        ("Số cán bộ đề nghị khen thưởng", len(data["commendations"]["entries"]), NUMBER_FORMAT),
    ]
    for offset, (label, value, fmt) in enumerate(lines):
        _row(sheet, 5 + offset, [label, value], {1: fmt} if fmt else None)


def _coverage(workbook, data: dict) -> None:
    sheet = _new_sheet(workbook, SHEET_COVERAGE, [("Đơn vị", 36), ("Đợt ký cam kết", 40), ("Phải ký", 10),
                                                   ("Đã ký", 10), ("Chưa ký", 10), ("Tỷ lệ", 10), ("Chỉ tiêu", 10)])
    row = 2
    for campaign in data["coverage"]:
        for line in [*campaign["rows"], {"unit": TOTAL_LABEL, **campaign["total"]}]:
            _row(sheet, row, [line["unit"], campaign["campaign"], line["expected"], line["signed"], line["unsigned"],
                              _percent(line["percent"]), campaign["target"] / 100],
                 {5: PERCENT_FORMAT, 6: "0%"}, bold=line["unit"] == TOTAL_LABEL)
            row += 1


def _ratings(workbook, data: dict) -> None:
    section = data["ratings"]
    grades = section["grades"]
    headers = [("Đơn vị", 36), ("Tháng", 10), *[(f"Loại {g}", 9) for g in grades], ("Tổng số", 10),
               *[(f"Tỷ lệ {g}", 9) for g in grades], ("Phiếu đã gửi", 11), ("Phiếu đã duyệt", 11)]
    sheet = _new_sheet(workbook, SHEET_RATINGS, headers)
    formats = {1: MONTH_FORMAT, **{3 + len(grades) + i: PERCENT_FORMAT for i in range(len(grades))}}
    months = [datetime.date.fromisoformat(m) for m in section["months"]]

    def line(unit: str, month, block: dict) -> list:
        return [unit, month, *block["counts"], block["rated"], *[_percent(s) for s in block["shares"]],
                block["submitted"], block["approved"]]

    row = 2
    for unit_row in section["rows"]:
        for month, block in zip(months, unit_row["months"], strict=True):
            _row(sheet, row, line(unit_row["unit"], month, block), formats)
            row += 1
    for month, block in zip(months, section["month_totals"], strict=True):
        _row(sheet, row, line(TOTAL_LABEL, month, block), formats, bold=True)
        row += 1
    _row(sheet, row, line(TOTAL_LABEL, "Cả quý", section["total"]), formats, bold=True)

    # The distribution per unit over the quarter, beside the table, feeds the chart.
    column = len(headers) + 2
    _header(sheet, 1, [("Đơn vị (cả quý)", 36), *[(f"Loại {g}", 9) for g in grades]], column=column)
    for offset, unit_row in enumerate(section["rows"]):
        _row(sheet, 2 + offset, [unit_row["unit"], *unit_row["quarter"]["counts"]], column=column)
    if section["rows"]:
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "col", "percentStacked", 100
        chart.title = "Phân bố xếp loại theo đơn vị"
        chart.add_data(Reference(sheet, min_col=column + 1, max_col=column + len(grades), min_row=1,
                                 max_row=1 + len(section["rows"])), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=column, min_row=2, max_row=1 + len(section["rows"])))
        chart.height, chart.width = 10, 22
        sheet.add_chart(chart, f"{get_column_letter(column)}{len(section['rows']) + 4}")


def _violations(workbook, data: dict) -> None:
    section = data["violations"]
    severity_headers = [(SEVERITY_LABELS.get(s, s), 12) for s in section["severities"]]
    sheet = _new_sheet(workbook, SHEET_VIOLATIONS, [("Điều của Quy tắc", 48), ("Quyết định", 16),
                                                    *severity_headers, ("Tổng số", 10)])
    row = 2
    for entry in section["by_article"]:
        _row(sheet, row, [entry["article"], entry["code"], *entry["counts"], entry["total"]])
        row += 1
    _row(sheet, row, [TOTAL_LABEL, None, *section["totals"], section["total"]], bold=True)
    if section["by_article"]:
        sheet.add_chart(_bar_chart("Vi phạm theo điều và mức độ", sheet=sheet, min_col=3,
                                   max_col=2 + len(section["severities"]), min_row=1, max_row=row - 1,
                                   y_title="Số vi phạm", stacked=True), f"A{row + 3}")
    # Per unit, to the right.
    column = 5 + len(section["severities"])
    _header(sheet, 1, [("Đơn vị", 36), *severity_headers, ("Tổng số", 10)], column=column)
    for offset, unit_row in enumerate(section["rows"]):
        _row(sheet, 2 + offset, [unit_row["unit"], *unit_row["counts"], unit_row["total"]], column=column)


def _inspections(workbook, data: dict) -> None:
    section = data["inspections"]
    keys = ("visits", "scheduled", "surprise", "findings", "actions_done", "actions_open", "actions_overdue")
    sheet = _new_sheet(workbook, SHEET_INSPECTIONS, [
        ("Đơn vị", 36), ("Lượt kiểm tra đã tiến hành", 14), ("Theo kế hoạch", 12), ("Đột xuất", 10),
        ("Phát hiện", 10), ("Khắc phục xong", 12), ("Chưa khắc phục", 12), ("Quá hạn", 10)])
    row = 2
    for line in [*section["rows"], {"unit": TOTAL_LABEL, **section["total"]}]:
        _row(sheet, row, [line["unit"], *[line[k] for k in keys]], bold=line["unit"] == TOTAL_LABEL)
        row += 1
    note = sheet.cell(row=row + 1, column=1, value="Quá hạn: tính đến ngày")
    note.font = Font(italic=True)
    _row(sheet, row + 1, [datetime.date.fromisoformat(section["as_of"])], {0: DATE_FORMAT}, column=2)


def _feedback(workbook, data: dict) -> None:
    section = data["feedback"]
    kind_headers = [(KIND_LABELS.get(k, k), 12) for k in section["kinds"]]
    sheet = _new_sheet(workbook, SHEET_FEEDBACK, [("Đơn vị", 36), *kind_headers, ("Tổng số", 10),
                                                  ("Chỉ số hài lòng", 12), ("Tỷ lệ đúng hạn", 12)])
    n = len(section["kinds"])
    formats = {n + 2: PERCENT_FORMAT, n + 3: PERCENT_FORMAT}
    row = 2
    for line in section["rows"]:
        _row(sheet, row, [line["unit"], *line["counts"], line["total"], _percent(line["satisfaction"]),
                          _percent(line["on_time"])], formats)
        row += 1
    _row(sheet, row, [TOTAL_LABEL, *section["kind_totals"], section["total"], _percent(section["satisfaction"]),
                      _percent(section["on_time"])], formats, bold=True)
    total_row = row

    # By kind (totals) and by channel, then month by month, below the table.
    row = total_row + 3
    _header(sheet, row, [("Loại phản ánh", 36), ("Số lượng", 12)])
    kind_first = row
    for kind, count in zip(section["kinds"], section["kind_totals"], strict=True):
        row += 1
        _row(sheet, row, [KIND_LABELS.get(kind, kind), count])
    chart = _bar_chart("Phản ánh theo loại", sheet=sheet, min_col=2, max_col=2, min_row=kind_first, max_row=row,
                       y_title="Số phản ánh")
    chart.set_categories(Reference(sheet, min_col=1, min_row=kind_first + 1, max_row=row))
    sheet.add_chart(chart, f"{get_column_letter(n + 6)}{kind_first}")

    row += 2
    _header(sheet, row, [("Kênh tiếp nhận", 36), ("Số lượng", 12)])
    channel_first = row
    for channel, count in zip(section["channels"], section["channel_counts"], strict=True):
        row += 1
        _row(sheet, row, [CHANNEL_LABELS.get(channel, channel), count])
    pie = PieChart()
    pie.title = "Phản ánh theo kênh tiếp nhận"
    pie.add_data(Reference(sheet, min_col=2, min_row=channel_first, max_row=row), titles_from_data=True)
    pie.set_categories(Reference(sheet, min_col=1, min_row=channel_first + 1, max_row=row))
    pie.height, pie.width = 9, 14
    sheet.add_chart(pie, f"{get_column_letter(n + 6)}{channel_first + 12}")

    row += 2
    _header(sheet, row, [("Tháng", 36), ("Lượt đánh giá", 12), ("Hài lòng", 12), ("Chỉ số hài lòng", 12),
                         ("Đã giải quyết", 12), ("Đúng hạn", 12), ("Tồn quá hạn cuối tháng", 14), ("Tỷ lệ đúng hạn", 12),
                         ("Lượt đánh giá việc giải quyết", 14), ("Hài lòng với việc giải quyết", 14)])
    for month in section["months"]:
        row += 1
        _row(sheet, row, [datetime.date.fromisoformat(month["month"]), month["rated"], month["satisfied"],
                          _percent(month["satisfaction"]), month["closed"], month["on_time_closed"], month["open_late"],
                          _percent(month["on_time"]), month.get("handling_rated", 0), _percent(month.get("handling"))],
             {0: MONTH_FORMAT, 3: PERCENT_FORMAT, 7: PERCENT_FORMAT, 9: PERCENT_FORMAT})


def _commendations(workbook, data: dict) -> None:
    section = data["commendations"]
    sheet = _new_sheet(workbook, SHEET_COMMENDATIONS, [
        ("Thứ hạng", 9), ("Họ và tên", 30), ("Mã cán bộ", 12), ("Chức vụ", 30), ("Đơn vị", 34),
        ("Tổng điểm cả quý", 12), ("Xếp loại từng tháng", 12), ("Lượt khen của người dân", 12)])
    sheet.freeze_panes = "A2"
    row = 2
    for entry in section["entries"]:
        _row(sheet, row, [entry["rank"], entry["name"], entry["staff_code"], entry["position"], entry["unit"],
                          entry["total_score"], entry["grades"], entry["praise"]], {5: SCORE_FORMAT})
        row += 1
    note = sheet.cell(row=row + 1, column=1,
                      value=f"Tình trạng danh sách: {LIST_STATUS_LABELS.get(section['status'], section['status'])}")
    note.font = Font(italic=True)


def quarterly_workbook(*, data: dict, target: Path) -> None:
    """Write the workbook of a report's figures (``QuarterlyReport.data``) to ``target``."""
    workbook = new_workbook()
    _summary(workbook, data)
    _coverage(workbook, data)
    _ratings(workbook, data)
    _violations(workbook, data)
    _inspections(workbook, data)
    _feedback(workbook, data)
    _commendations(workbook, data)
    workbook.save(target)
