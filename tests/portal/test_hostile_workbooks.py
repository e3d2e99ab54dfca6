"""Small Excel files that would cost a worker a minute and hundreds of MB (issue 14): two million blank rows in a
0.02 MB file, a shared-strings part of 90 MB in a 0.4 MB one. The staff import and the monthly sheet upload
refuse them before parsing, with a message and nothing saved, in little memory (tracemalloc's peak while the
import runs, the file already built); the files the portal hands out, filled in, still import.
"""

from __future__ import annotations

from contextlib import contextmanager
import datetime
import html
import io
import tracemalloc

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
import openpyxl
import pytest

import core.xlsx
from evaluations.models import Rating
from evaluations.ratings import sheet_format
from evaluations.ratings.sheet_export import sheet_workbook
from evaluations.ratings.sheet_import import sheet_import
from tests.builders import open_sheet
from tests.helpers import client_for
from tests.hostile_workbooks import with_blank_rows, with_huge_shared_strings
from units.models import Staff
from units.staff_import import staff_import_template, staff_import_xlsx

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PEAK_LIMIT = 50 * 2**20
TOO_MUCH = ("The file holds far more data than an import reads. Copy only the rows to import into a new workbook "
            "(or the template), save it as .xlsx and upload that.")
HOSTILE = {"blank-rows": with_blank_rows, "shared-strings": with_huge_shared_strings}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@contextmanager
def peak_memory():
    """Yields a dict whose ``peak`` is, afterwards, the most memory Python allocated inside the block."""
    measured = {}
    tracemalloc.start()
    try:
        yield measured
    finally:
        measured["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def upload(content: bytes, name="tep.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def saved(content: bytes) -> bytes:
    buffer = io.BytesIO()
    content.save(buffer)
    return buffer.getvalue()


# --- The staff import -----------------------------------------------------------------------------------------

@pytest.fixture
def staff_file(ward_officer) -> bytes:
    """The template the portal hands out, its two example rows given new codes."""
    workbook = openpyxl.load_workbook(io.BytesIO(staff_import_template(user=ward_officer)))
    sheet = workbook.worksheets[0]
    sheet["A2"], sheet["A3"] = "HW0001", "HW0002"
    return saved(workbook)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_staff_import_refuses_a_hostile_file_in_little_memory(ward_officer, staff_file, hostile):
    content = HOSTILE[hostile](staff_file)
    assert len(content) < 512 * 1024  # small files: the upload limit does not stop them
    before = Staff.objects.count()

    with peak_memory() as memory:
        result = staff_import_xlsx(actor=ward_officer, upload=upload(content))

    assert result.file_errors == [TOO_MUCH] and not result.row_errors and result.created == 0
    assert Staff.objects.count() == before
    assert memory["peak"] < PEAK_LIMIT, memory["peak"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_staff_import_page_refuses_a_hostile_file(client, ward_officer, staff_file, hostile):
    content = HOSTILE[hostile](staff_file)
    officer = client_for(client, ward_officer)
    before = Staff.objects.count()

    with peak_memory() as memory:
        response = officer.post(reverse("units:staff_import"), {"file": upload(content)})

    assert response.status_code == 200
    assert html.escape(TOO_MUCH) in response.content.decode()
    assert Staff.objects.count() == before
    assert memory["peak"] < PEAK_LIMIT, memory["peak"]


def test_a_stray_value_far_below_the_staff_rows_stops_the_reading(ward_officer, staff_file):
    # One cell at row 1,000,000: openpyxl would walk every empty row number up to it.
    workbook = openpyxl.load_workbook(io.BytesIO(staff_file))
    workbook.worksheets[0]["A1000000"] = "x"
    limit = 5000 + 1 + core.xlsx.MAX_BLANK_ROWS

    with peak_memory() as memory:
        result = staff_import_xlsx(actor=ward_officer, upload=upload(saved(workbook)))

    assert result.file_errors == [
        f"The sheet goes on past row {limit}, empty rows included. Delete the empty rows below the data "
        "(or copy the data into a new workbook) and upload the file again."
    ]
    assert not Staff.objects.filter(staff_code__startswith="HW").exists()
    assert memory["peak"] < PEAK_LIMIT, memory["peak"]


def test_a_row_of_more_cells_than_any_sheet_has_is_refused(ward_officer, staff_file):
    workbook = openpyxl.load_workbook(io.BytesIO(staff_file))
    for column in range(1, core.xlsx.MAX_COLUMNS + 2):
        workbook.worksheets[0].cell(row=5, column=column, value="")  # styled-looking empty cells, all written
        workbook.worksheets[0].cell(row=5, column=column).number_format = "@"

    result = staff_import_xlsx(actor=ward_officer, upload=upload(saved(workbook)))

    assert result.file_errors == [TOO_MUCH]


def test_the_filled_template_still_imports_with_empty_rows_and_a_far_empty_column(
    ward_officer, thanh_xuan_bac, staff_file,
):
    workbook = openpyxl.load_workbook(io.BytesIO(staff_file))
    sheet = workbook.worksheets[0]
    sheet["A3000"], sheet["B3000"], sheet["C3000"] = "HW0003", "Phạm Thị Hoa", thanh_xuan_bac.public_code
    sheet["D3000"] = sheet["D2"].value
    sheet["XFD2"] = None  # a cell at Excel's last column, with nothing in it
    sheet["XFD2"].number_format = "@"

    result = staff_import_xlsx(actor=ward_officer, upload=upload(saved(workbook)))

    assert result.ok and result.created == 3, (result.file_errors, result.row_errors)
    assert Staff.objects.get(staff_code="HW0003").full_name == "Phạm Thị Hoa"


# --- The monthly sheet upload ---------------------------------------------------------------------------------

@pytest.fixture
def sheet(ward_officer, thanh_xuan_bac, staff_factory):
    for number in range(1, 4):
        staff_factory(unit=thanh_xuan_bac, staff_code=f"HWS{number:03d}")
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    return open_sheet(thanh_xuan_bac, ward_officer, last_month)


def ratings(sheet) -> dict[str, tuple]:
    return {rating.staff.staff_code: (rating.version, rating.points, rating.total, rating.grade, rating.remark)
            for rating in Rating.objects.filter(sheet=sheet).select_related("staff")}


def hostile_sheet(sheet, hostile: str) -> bytes:
    base = sheet_workbook(sheet)
    if hostile == "blank-rows":
        return with_blank_rows(base, title=sheet_format.SHEET_TITLE)
    return with_huge_shared_strings(base)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_sheet_upload_refuses_a_hostile_file_in_little_memory(ward_officer, sheet, hostile):
    content = hostile_sheet(sheet, hostile)
    assert len(content) < 512 * 1024
    before = ratings(sheet)

    with peak_memory() as memory:
        result = sheet_import(actor=ward_officer, sheet=sheet, upload=upload(content))

    assert result.file_errors == [TOO_MUCH] and not result.row_errors and result.updated == 0
    assert ratings(sheet) == before
    assert memory["peak"] < PEAK_LIMIT, memory["peak"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_sheet_upload_page_refuses_a_hostile_file(client, ward_officer, sheet, hostile):
    content = hostile_sheet(sheet, hostile)
    officer = client_for(client, ward_officer)
    before = ratings(sheet)

    with peak_memory() as memory:
        response = officer.post(reverse("evaluations:sheet_upload", kwargs={"pk": sheet.pk}), {"file": upload(content)})

    assert response.status_code == 200
    assert html.escape(TOO_MUCH) in response.content.decode()
    assert ratings(sheet) == before
    assert memory["peak"] < PEAK_LIMIT, memory["peak"]


def test_the_downloaded_sheet_filled_in_still_imports(ward_officer, sheet):
    # Columns of the download for Hanoi's scheme: A the staff code, I the remark (as in tests/evaluations).
    workbook = openpyxl.load_workbook(io.BytesIO(sheet_workbook(sheet)))
    main = workbook[sheet_format.SHEET_TITLE]
    row = next(number for number in range(1, main.max_row + 1) if main[f"A{number}"].value == "HWS002")
    main[f"I{row}"] = "Đã nhập từ tệp"

    result = sheet_import(actor=ward_officer, sheet=sheet, upload=upload(saved(workbook)))

    assert result.ok and (result.updated, result.unchanged) == (1, 2), (result.file_errors, result.row_errors)
    assert ratings(sheet)["HWS002"][4] == "Đã nhập từ tệp"
