"""The monthly sheet's Excel round trip: download, fill in offline, upload — every changed row saved, or none."""

import datetime
from decimal import Decimal
import html
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from evaluations.choices import Grade, Severity, SheetStatus, ViolationSource
from evaluations.models import Rating
from evaluations.ratings import services, sheet_format as excel
from evaluations.violations.services import violation_record
from tests.builders import lower_to_cap, open_sheet
from tests.factories import code_article
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Columns of the download: code, name, post, the three groups of Hanoi's scheme, total, grade, remark, violations.
CODE, NAME, DISCIPLINE, TASKS, BONUS, TOTAL, GRADE, REMARK = "A", "B", "D", "E", "F", "G", "H", "I"
NOT_XLSX = "The file is not a valid Excel file. Open it in Excel and save it as “Excel Workbook (.xlsx)”."


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, so the tests hold once the Vietnamese catalogue is compiled."""
    with translation.override("en"):
        yield


@pytest.fixture
def staff(staff_factory, thanh_xuan_bac):
    """Three staff of Phường Thanh Xuân Bắc, by code."""
    return {
        code: staff_factory(unit=thanh_xuan_bac, staff_code=code, full_name=name)
        for code, name in (("TXB001", "Nguyễn Văn An"), ("TXB002", "Trần Thị Bình"), ("TXB003", "Lê Văn Cường"))
    }


@pytest.fixture
def sheet(ward_officer, thanh_xuan_bac, staff, last_month):
    return open_sheet(thanh_xuan_bac, ward_officer, last_month)


@pytest.fixture
def officer(client, ward_officer):
    return client_for(client, ward_officer)


def download(client, sheet) -> bytes:
    response = client.get(reverse("evaluations:sheet_xlsx", kwargs={"pk": sheet.pk}))
    assert response.status_code == 200, response.status_code
    return response.content


def upload(client, sheet, content: bytes, name="phieu-danh-gia.xlsx"):
    file = SimpleUploadedFile(name, content, content_type=XLSX)
    return client.post(reverse("evaluations:sheet_upload", kwargs={"pk": sheet.pk}), {"file": file})


def rows_by_code(workbook) -> dict[str, int]:
    sheet = workbook[excel.SHEET_TITLE]
    return {sheet[f"{CODE}{row}"].value: row for row in range(3, sheet.max_row + 1) if sheet[f"{CODE}{row}"].value}


def edited(content: bytes, changes: dict[str, dict[str, object]], extra_rows=()) -> tuple[bytes, dict[str, int]]:
    """The file with some cells changed (by staff code and column letter) and rows appended; and rows by code."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook[excel.SHEET_TITLE]
    rows = rows_by_code(workbook)
    for code, cells in changes.items():
        for column, value in cells.items():
            sheet[f"{column}{rows[code]}"] = value
    for values in extra_rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), rows


def ratings(sheet) -> dict[str, Rating]:
    return {r.staff.staff_code: r for r in Rating.objects.filter(sheet=sheet).select_related("staff")}


def snapshot(sheet) -> dict[str, tuple]:
    return {code: (r.version, r.points, r.remark, r.grade, r.history.count()) for code, r in ratings(sheet).items()}


def error_rows(response) -> dict[int, list[str]]:
    """Row number → messages, as the page shows them."""
    page = response.content.decode()
    found = {}
    for row, cell in re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td></tr>", page, flags=re.S):
        found[int(row)] = re.findall(r"<div>(.*?)</div>", cell, flags=re.S)
    return found


def file_errors(response) -> list[str]:
    page = response.content.decode()
    block = re.search(r'data-testid="upload-errors">(.*?)</div>', page, flags=re.S)
    assert block, "no error block on the page"
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r"<li>(.*?)</li>", block.group(1), flags=re.S)]


def unescape(text: str) -> str:
    return html.unescape(text)


# --- Download -----------------------------------------------------------------------------------------------


def test_download_reads_back_with_the_staff_their_points_and_a_hidden_meta_sheet(officer, sheet, thanh_xuan_bac):
    response = officer.get(reverse("evaluations:sheet_xlsx", kwargs={"pk": sheet.pk}))

    assert response.status_code == 200 and response["Content-Type"] == XLSX
    filename = f"phieu-danh-gia-{thanh_xuan_bac.public_code}-{sheet.month:%Y-%m}.xlsx"
    assert f'filename="{filename}"' in response["Content-Disposition"]

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert workbook.sheet_names[0] == "Phiếu đánh giá" and "_meta" in workbook.sheet_names
    rows = workbook.get_sheet_by_name("Phiếu đánh giá").to_python()
    title = rows[0][0]
    assert "Phường Thanh Xuân Bắc" in title and f"{sheet.month:%m/%Y}" in title and sheet.scheme.name in title
    assert rows[1][:3] == ["Mã cán bộ", "Họ và tên", "Chức vụ"]
    assert [header[-11:] for header in rows[1][3:6]] == ["(tối đa 20)", "(tối đa 70)", "(tối đa 10)"]
    assert rows[1][6:9] == ["Tổng điểm", "Xếp loại", "Nhận xét"]
    in_db = ratings(sheet)
    assert sorted(row[0] for row in rows[2:]) == sorted(in_db)
    for row in rows[2:]:
        rating = in_db[row[0]]
        assert row[1] == rating.staff.full_name
        # Numbers, not text (calamine reads whole numbers back as floats).
        in_db_points = [float(rating.points[code]) for code in ("discipline", "tasks", "bonus")]
        assert row[3:6] == in_db_points == [20.0, 70.0, 0.0]

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    meta = book["_meta"]
    assert meta.sheet_state == "hidden"
    meta_rows = [tuple(v for v in row if v is not None) for row in meta.iter_rows(values_only=True)]
    assert ("sheet_id", sheet.pk) in meta_rows and ("month", sheet.month.isoformat()) in meta_rows
    assert ("unit", thanh_xuan_bac.public_code) in meta_rows
    assert {(code, rating.pk, rating.version) for code, rating in in_db.items()} <= set(meta_rows)

    main = book["Phiếu đánh giá"]
    assert main.freeze_panes == "D3"
    validations = {
        str(v.sqref): (v.type, v.operator, v.formula1, v.formula2) for v in main.data_validations.dataValidation
    }
    assert validations["D3:D5"] == ("decimal", "between", "0", "20")
    assert validations["E3:E5"] == ("decimal", "between", "0", "70")
    assert main["D3"].number_format == "0.0" and main["A3"].number_format == "@"
    # Total and grade follow the officer's changes offline; the upload recomputes them anyway.
    assert main["G3"].value == "=MIN(SUM(D3:F3),110)" and main["H3"].value.startswith("=IF(G3>=90")


def test_download_shows_the_violation_cap_in_the_grade(officer, ward_officer, sheet, staff, last_month):
    article = code_article()
    violation_record(
        actor=ward_officer, staff=staff["TXB001"], occurred_on=last_month + datetime.timedelta(days=9), article=article,
        severity=Severity.SERIOUS, source=ViolationSource.SUPERVISOR, description="Uống rượu trong giờ làm việc.",
    )

    book = openpyxl.load_workbook(io.BytesIO(download(officer, sheet)))
    main = book[excel.SHEET_TITLE]
    row = rows_by_code(book)["TXB001"]

    assert main[f"{GRADE}{row}"].value.startswith("=CHAR(MAX(CODE(IF(") and 'CODE("C")' in main[f"{GRADE}{row}"].value
    with translation.override("vi"):  # the workbook is Vietnamese whatever the page language
        severity = str(Severity.SERIOUS.label)
    day = last_month + datetime.timedelta(days=9)
    assert main[f"J{row}"].value == f"{day:%d/%m/%Y}: {article} ({severity})"


def test_download_takes_the_same_queries_for_20_staff_as_for_3(
    officer, ward_officer, sheet, staff_factory, thanh_xuan_bac, last_month
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            download(officer, sheet)
        return len(captured)

    few = queries()
    staff_factory.create_batch(17, unit=thanh_xuan_bac)
    services.rating_sheet_open(actor=ward_officer, unit=thanh_xuan_bac, month=last_month)  # adds their rows
    assert Rating.objects.filter(sheet=sheet).count() == 20
    assert queries() == few


# --- Upload: good files -------------------------------------------------------------------------------------


def test_changed_points_are_saved_with_the_user_in_the_history(officer, ward_officer, sheet):
    before = snapshot(sheet)
    content, _rows = edited(download(officer, sheet), {
        "TXB001": {DISCIPLINE: 18.5, REMARK: "Đi muộn hai buổi."},
        "TXB002": {BONUS: 5},
        "TXB003": {TASKS: "45,5", REMARK: "Chậm tiến độ hồ sơ đất đai."},  # typed as text, with a decimal comma
    })

    response = upload(officer, sheet, content)

    assert response.status_code == 302 and response.url == reverse("evaluations:sheet_detail", kwargs={"pk": sheet.pk})
    after = ratings(sheet)
    an, binh, cuong = after["TXB001"], after["TXB002"], after["TXB003"]
    assert an.points == {"discipline": "18.5", "tasks": "70.0", "bonus": "0.0"}
    assert (an.total, an.grade, an.remark) == (Decimal("88.5"), Grade.B, "Đi muộn hai buổi.")
    assert (binh.total, binh.grade) == (Decimal("95.0"), Grade.A)
    assert (cuong.total, cuong.grade, cuong.remark) == (Decimal("65.5"), Grade.C, "Chậm tiến độ hồ sơ đất đai.")
    for rating in (an, binh, cuong):
        assert rating.version == before[rating.staff.staff_code][0] + 1
        assert rating.history.first().history_user == ward_officer
        assert rating.updated_by == ward_officer
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["3 rows updated."]


def test_unchanged_rows_are_not_saved_again(officer, sheet):
    before = snapshot(sheet)
    content, _rows = edited(download(officer, sheet), {"TXB002": {BONUS: 2}})

    response = upload(officer, sheet, content)

    assert response.status_code == 302
    after = snapshot(sheet)
    assert after["TXB001"] == before["TXB001"] and after["TXB003"] == before["TXB003"]  # no history noise
    assert after["TXB002"][0] == before["TXB002"][0] + 1 and after["TXB002"][4] == before["TXB002"][4] + 1
    assert [str(m) for m in response.wsgi_request._messages] == ["1 row updated."]


def test_an_untouched_file_changes_nothing(officer, sheet):
    before = snapshot(sheet)

    response = upload(officer, sheet, download(officer, sheet))

    assert response.status_code == 302 and snapshot(sheet) == before
    assert [str(m) for m in response.wsgi_request._messages] == [
        "Nothing changed: the file holds the points and remarks already on the sheet."
    ]


def test_a_violation_of_the_month_caps_the_grade_and_asks_for_a_remark(officer, ward_officer, sheet, staff, last_month):
    violation_record(
        actor=ward_officer, staff=staff["TXB002"], occurred_on=last_month, article=code_article(),
        severity=Severity.SERIOUS, source=ViolationSource.CITIZEN_FEEDBACK, description="Gây phiền hà cho người dân.",
    )
    content = download(officer, sheet)

    refused = upload(officer, sheet, edited(content, {"TXB002": {BONUS: 10}})[0])

    row = rows_by_code(openpyxl.load_workbook(io.BytesIO(content)))["TXB002"]
    # 100 points, grade A by points, but a serious violation caps it at C: a remark is needed.
    assert error_rows(refused) == {row: ["A remark is required for a grade below B (grade C)."]}

    saved = upload(officer, sheet, edited(content, {"TXB002": {BONUS: 10, REMARK: "Bị phản ánh, đã kiểm điểm."}})[0])

    assert saved.status_code == 302
    binh = ratings(sheet)["TXB002"]
    assert (binh.total, binh.grade_by_points, binh.grade) == (Decimal("100.0"), Grade.A, Grade.C)


def test_a_row_left_below_b_without_a_remark_does_not_stop_the_rows_changed(officer, ward_officer, sheet, staff,
                                                                              last_month):
    """The violation caps an untouched row at C, still without its remark (submitting the sheet will ask for it):
    an upload changing another row saves that row and leaves this one as it is."""
    violation_record(
        actor=ward_officer, staff=staff["TXB002"], occurred_on=last_month, article=code_article(),
        severity=Severity.SERIOUS, source=ViolationSource.CITIZEN_FEEDBACK, description="Gây phiền hà cho người dân.",
    )
    before = snapshot(sheet)

    response = upload(officer, sheet, edited(download(officer, sheet), {"TXB003": {BONUS: 1}})[0])

    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == ["1 row updated."]
    after = snapshot(sheet)
    assert after["TXB002"] == before["TXB002"] and after["TXB003"][0] == before["TXB003"][0] + 1


# --- Upload: bad rows ---------------------------------------------------------------------------------------


def test_every_bad_row_is_listed_by_its_excel_row_and_nothing_is_saved(
    officer, sheet, staff_factory, thanh_xuan_bac, thanh_xuan_trung, last_month
):
    staff_factory(unit=thanh_xuan_trung, staff_code="TXT001", full_name="Phạm Văn Bên")
    staff_factory(unit=thanh_xuan_bac, staff_code="TXB900", full_name="Hồ Thị Mới", active_from=timezone.localdate())
    before = snapshot(sheet)
    content, rows = edited(
        download(officer, sheet),
        {
            "TXB001": {DISCIPLINE: 25},  # above the maximum of 20
            "TXB002": {TASKS: -1, BONUS: "mười"},  # negative, and text
            "TXB003": {TASKS: 30, BONUS: 0.25},  # grade D without a remark; two decimals
        },
        extra_rows=[
            ["KHONGCO", "Không Có Mã", "", 20, 70, 0],  # row 6: unknown code
            ["TXT001", "Phạm Văn Bên", "", 20, 70, 0],  # row 7: staff of the sibling ward
            ["txb001", "Nguyễn Văn An", "", 20, 70, 0],  # row 8: repeats TXB001
            ["TXB900", "Hồ Thị Mới", "", 20, 70, 0],  # row 9: of this ward, but joined after the month
            ["", "Không Mã", "", 20, 70, 0],  # row 10: no code
        ],
    )

    response = upload(officer, sheet, content)

    assert response.status_code == 200
    errors = {row: [unescape(m) for m in messages] for row, messages in error_rows(response).items()}
    month = f"{last_month:%m/%Y}"
    discipline = "Ý thức tổ chức kỷ luật, đạo đức, lối sống, thực hiện Quy tắc ứng xử"
    tasks, bonus = "Kết quả thực hiện nhiệm vụ được giao", "Điểm thưởng (sáng kiến, thành tích nổi bật)"
    assert errors == {
        rows["TXB001"]: [f"{discipline}: at most 20 points."],
        rows["TXB002"]: [f"{tasks}: points cannot be negative.", f"{bonus}: “mười” is not a number."],
        rows["TXB003"]: [f"{bonus}: use at most one decimal."],
        6: ["Unknown staff code “KHONGCO”."],
        # A ward the officer cannot see reads exactly like a code that does not exist.
        7: ["Unknown staff code “TXT001”."],
        8: [f"Staff code TXB001 is repeated: it already appears on row {rows['TXB001']}."],
        9: [f"Hồ Thị Mới (TXB900) has no row on the sheet of {month}."],
        10: ["Column “Mã cán bộ” is empty."],
    }
    assert "Nothing was saved" in response.content.decode()
    assert snapshot(sheet) == before


def test_a_grade_below_b_without_a_remark_refuses_the_file(officer, sheet):
    before = snapshot(sheet)
    content, rows = edited(download(officer, sheet), {"TXB001": {TASKS: 40}, "TXB002": {BONUS: 3}})  # 60 points: C

    response = upload(officer, sheet, content)

    assert error_rows(response) == {rows["TXB001"]: ["A remark is required for a grade below B (grade C)."]}
    assert snapshot(sheet) == before  # the good row is not saved either


def test_a_district_wide_rater_is_told_the_staff_member_belongs_elsewhere(
    client, city_admin, sheet, staff_factory, thanh_xuan_trung
):
    staff_factory(unit=thanh_xuan_trung, staff_code="TXT002", full_name="Vũ Văn Khác")
    admin = client_for(client, city_admin)
    content, _rows = edited(download(admin, sheet), {}, extra_rows=[["TXT002", "Vũ Văn Khác", "", 20, 70, 0]])

    response = upload(admin, sheet, content)

    assert error_rows(response) == {
        6: ["Vũ Văn Khác (TXT002) is staff of Phường Thanh Xuân Trung, not of Phường Thanh Xuân Bắc."]
    }


# --- Upload: files refused as a whole -----------------------------------------------------------------------


def test_a_file_of_another_month_is_refused(officer, ward_officer, sheet, thanh_xuan_bac, last_month):
    earlier = open_sheet(thanh_xuan_bac, ward_officer, services.month_start(last_month - datetime.timedelta(days=1)))
    before = snapshot(sheet)
    content, _rows = edited(download(officer, earlier), {"TXB001": {BONUS: 5}})

    response = upload(officer, sheet, content)

    assert file_errors(response) == [unescape(
        f"This file belongs to another sheet or month: it was downloaded for {thanh_xuan_bac.public_code}, "
        f"{earlier.month:%m/%Y}. Download the sheet of Phường Thanh Xuân Bắc for {sheet.month:%m/%Y} and fill that in."
    )]
    assert snapshot(sheet) == before and snapshot(earlier)["TXB001"][0] == 1


def test_a_file_without_its_hidden_sheet_is_refused(officer, sheet):
    workbook = openpyxl.load_workbook(io.BytesIO(download(officer, sheet)))
    del workbook["_meta"]
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = upload(officer, sheet, buffer.getvalue())

    assert unescape(file_errors(response)[0]).startswith("This file was not downloaded from the portal")


def test_a_file_with_a_group_column_removed_is_refused(officer, sheet):
    workbook = openpyxl.load_workbook(io.BytesIO(download(officer, sheet)))
    workbook[excel.SHEET_TITLE].delete_cols(5)  # task results
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = upload(officer, sheet, buffer.getvalue())

    assert [unescape(e) for e in file_errors(response)] == [
        "Required columns are missing: Kết quả thực hiện nhiệm vụ được giao (tối đa 70). "
        "Keep the column headers of the downloaded sheet."
    ]


@pytest.mark.parametrize("status", [SheetStatus.APPROVED, SheetStatus.LOCKED])
def test_an_approved_or_locked_sheet_is_refused(client, ward_officer, unit_head, district_officer, sheet, status):
    lower_to_cap(sheet, ward_officer)
    content, _rows = edited(download(client_for(client, ward_officer), sheet), {"TXB001": {BONUS: 5}})
    services.rating_sheet_transition(actor=ward_officer, sheet=sheet, action="submit")
    services.rating_sheet_transition(actor=unit_head, sheet=sheet, action="approve")
    if status == SheetStatus.LOCKED:
        services.rating_sheet_transition(actor=district_officer, sheet=sheet, action="lock")
    before = snapshot(sheet)

    officer = client_for(client, ward_officer)
    response = upload(officer, sheet, content)

    assert file_errors(response) == [f"This sheet is {status.label.lower()} and can no longer be changed."]
    assert snapshot(sheet) == before
    page = officer.get(reverse("evaluations:sheet_upload", kwargs={"pk": sheet.pk})).content.decode()
    assert "Only the district office can reopen it." in page and 'type="file"' not in page


def test_a_row_changed_on_the_web_after_the_download_refuses_the_whole_file(officer, unit_head, sheet):
    content = download(officer, sheet)
    rating = ratings(sheet)["TXB002"]
    services.rating_save(  # the unit head corrects the row in the browser meanwhile
        actor=unit_head, rating=rating, points={"discipline": "19", "tasks": "70", "bonus": "0"}, remark="",
        expected_version=rating.version,
    )
    before = snapshot(sheet)
    content, rows = edited(content, {"TXB001": {BONUS: 4}, "TXB002": {BONUS: 6}})

    response = upload(officer, sheet, content)

    errors = {row: [unescape(m) for m in messages] for row, messages in error_rows(response).items()}
    assert list(errors) == [rows["TXB002"]]
    (message,) = errors[rows["TXB002"]]
    assert message.startswith(f"Trần Thị Bình: changed on the web by {unit_head.get_full_name()} at ")
    assert message.endswith("after this file was downloaded. Download the sheet again and redo your changes.")
    assert snapshot(sheet) == before  # TXB001's change is rolled back too
    assert ratings(sheet)["TXB002"].points["discipline"] == "19.0"


@pytest.mark.parametrize(
    "name, content",
    [
        ("phieu.xlsx", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF"),
        ("phieu.xlsx", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 200),
        ("phieu.xlsx", b"PK\x03\x04 truncated archive"),
    ],
    ids=["renamed-pdf", "renamed-exe", "broken-zip"],
)
def test_a_file_that_is_not_an_xlsx_gets_a_clean_error(officer, sheet, name, content):
    before = snapshot(sheet)

    response = upload(officer, sheet, content, name=name)

    assert response.status_code == 200
    assert [unescape(e) for e in file_errors(response)] == [NOT_XLSX]
    assert snapshot(sheet) == before


def test_another_extension_and_an_empty_file_are_refused(officer, sheet):
    content, _rows = edited(download(officer, sheet), {"TXB001": {BONUS: 5}})

    pdf = upload(officer, sheet, content, name="phieu.pdf")
    empty = upload(officer, sheet, b"", name="phieu.xlsx")

    assert file_errors(pdf) == ["Only Excel files (.xlsx) can be imported."]
    assert empty.status_code == 200 and "The submitted file is empty." in empty.content.decode()
    assert ratings(sheet)["TXB001"].version == 1


def test_a_zip_bomb_is_refused_before_it_is_unpacked(officer, sheet, monkeypatch):
    import core.xlsx

    content = download(officer, sheet)
    monkeypatch.setattr(core.xlsx, "MAX_UNPACKED_BYTES", 1024)  # the real file unpacks to more than this

    response = upload(officer, sheet, content)

    assert [unescape(e) for e in file_errors(response)] == [NOT_XLSX]


def test_too_large_a_file_and_too_many_rows_are_refused(officer, sheet, settings):
    padded = b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024 + 1)
    assert file_errors(upload(officer, sheet, padded)) == ["The file is larger than 5 MB."]

    content = download(officer, sheet)
    settings.RATING_SHEET_UPLOAD_MAX_ROWS = 2  # the sheet has three staff rows
    assert file_errors(upload(officer, sheet, content)) == [
        "The file has more than 2 rows; a monthly sheet has one row per staff member."
    ]
    # A huge sheet is not read to its end.
    content, _rows = edited(content, {}, extra_rows=[[f"X{i:04d}", "", "", 20, 70, 0] for i in range(50)])
    assert file_errors(upload(officer, sheet, content)) == [
        "The file has more than 2 rows; a monthly sheet has one row per staff member."
    ]


# --- Who may -------------------------------------------------------------------------------------------------


def test_a_user_without_the_right_to_rate_gets_403(client, inspector, district_officer, sheet):
    url = reverse("evaluations:sheet_upload", kwargs={"pk": sheet.pk})
    for user in (inspector, district_officer):
        reader = client_for(client, user)
        content = download(reader, sheet)  # they may read the sheet of a ward of their district
        assert reader.get(url).status_code == 403
        assert upload(reader, sheet, content).status_code == 403
    assert all(version == 1 for version, *_rest in snapshot(sheet).values())


def test_the_sheet_of_another_ward_is_404(officer, city_admin, thanh_xuan_trung, staff_factory, last_month):
    staff_factory(unit=thanh_xuan_trung)
    other = open_sheet(thanh_xuan_trung, city_admin, last_month)

    assert officer.get(reverse("evaluations:sheet_xlsx", kwargs={"pk": other.pk})).status_code == 404
    assert officer.get(reverse("evaluations:sheet_upload", kwargs={"pk": other.pk})).status_code == 404
    assert upload(officer, other, b"PK\x03\x04").status_code == 404


def test_the_upload_page_links_the_download(officer, sheet):
    response = officer.get(reverse("evaluations:sheet_upload", kwargs={"pk": sheet.pk}))

    assert response.status_code == 200
    assert reverse("evaluations:sheet_xlsx", kwargs={"pk": sheet.pk}) in response.content.decode()
