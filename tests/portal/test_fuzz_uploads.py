"""Fuzzing the Excel uploads (hypothesis): the staff import and the monthly sheet upload take any file — arbitrary
bytes, damaged archives, small zip bombs, workbooks full of arbitrary cells, wrong headers, too many rows, any name
and content type — and answer with every row saved or nothing saved and a message; never a server error.

"Nothing saved" is checked on what a user would find afterwards: the number of staff and of their history
records, and every rating's points, remark, grade, version and history, all unchanged. "Every row saved" is
checked against the file as Excel reads it back.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
import functools
import io
import re
import unicodedata
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given, strategies as st
import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
import pytest

from core.xlsx import MAX_UNPACKED_BYTES
from evaluations.models import Rating
from evaluations.ratings import services, sheet_format as excel
from tests.builders import open_sheet
from tests.portal.fuzzing import assert_not_5xx, fuzz_settings, rolled_back
from units.models import Staff

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore::UserWarning")]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VI_HEADERS = ["Mã cán bộ", "Họ và tên", "Mã đơn vị", "Phân loại", "Chức vụ", "Vai trò lãnh đạo", "Ngày bắt đầu"]
EN_HEADERS = ["Staff code", "Full name", "Unit code", "Category", "Position", "Leadership", "Active from"]
STAFF_MAX_ROWS = 12  # the tests' row limits, so "too many rows" stays cheap to build
SHEET_MAX_ROWS = 8

# --- Cells and files ------------------------------------------------------------------------------------------

_ILLEGAL = "".join(chr(c) for c in range(32) if ILLEGAL_CHARACTERS_RE.match(chr(c)))
# Any text a cell can hold (the XML of a workbook cannot carry the other control characters).
cell_text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters=_ILLEGAL), max_size=40)
huge_text = st.builds(lambda piece, times: piece * times, cell_text.filter(bool), st.integers(100, 12000))
cell_values = st.one_of(
    st.none(),
    cell_text,
    st.sampled_from(["", "   ", "=1/0", "=SUM(A1:A3)", "=NA()", "#N/A", "#DIV/0!", "\u202eتجربة", "👍🏽 Cán bộ",
                     "a\u0301", "TRUE", "1e309", "NaN", "-0", "18,5", "00367"]),
    st.from_regex(r"\A=[A-Z(][A-Z0-9(),:+*/ -]{0,20}\Z"),  # formulas: read as empty (no value computed yet)
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1)),
    st.times(),
    huge_text,
)


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@functools.lru_cache(maxsize=4)
def zip_bomb(base: bytes) -> bytes:
    """``base`` with one more member that unpacks past the portal's limit (a 100 KB file, 100 MB unpacked)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            bomb.writestr(info, source.read(info))
        bomb.writestr("xl/media/zeros.bin", b"\x00" * (MAX_UNPACKED_BYTES + 1), compresslevel=9)
    return buffer.getvalue()


def _rezipped(base: bytes, drop: str | None, garbage: tuple[str, bytes] | None) -> bytes:
    """``base`` with a member left out or replaced by garbage: a zip that is valid but not a workbook."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename == drop:
                continue
            if garbage and info.filename == garbage[0]:
                out.writestr(info.filename, garbage[1])
            else:
                out.writestr(info, source.read(info))
    return buffer.getvalue()


@st.composite
def broken(draw, base: bytes) -> bytes:
    """What arrives when the file is not a workbook, or a damaged one."""
    members = zipfile.ZipFile(io.BytesIO(base)).namelist()
    how = draw(st.sampled_from(["bytes", "truncate", "flip", "member", "bomb", "other"]))
    if how == "bytes":
        return draw(st.one_of(st.binary(max_size=4096), st.binary(max_size=64).map(lambda tail: b"PK\x03\x04" + tail)))
    if how == "truncate":
        return base[: draw(st.integers(0, len(base) - 1))]
    if how == "flip":
        content = bytearray(base)
        for _i in range(draw(st.integers(1, 8))):
            content[draw(st.integers(0, len(base) - 1))] ^= draw(st.integers(1, 255))
        return bytes(content)
    if how == "member":
        member = draw(st.sampled_from(members))
        garbage = draw(st.one_of(st.none(), st.binary(max_size=200), st.sampled_from([b"<x>", b"<?xml version='1.0'?>",
                                                                                    b"<worksheet>&#0;</worksheet>"])))
        return _rezipped(base, member if garbage is None else None, None if garbage is None else (member, garbage))
    if how == "bomb":
        return zip_bomb(base)
    return draw(st.sampled_from([
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF",
        "Mã cán bộ,Họ và tên\nTX1,An\n".encode(),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,  # an old .xls
        b"MZ\x90\x00" + b"\x00" * 200,
    ]))


upload_names = st.one_of(
    st.just("tep.xlsx"), st.just("tep.xlsx"), st.just("tep.xlsx"),
    st.sampled_from(["tep.XLSX", "tep.xls", "tep.csv", "tep", "tep.xlsx.exe", "tệp tháng 3.xlsx", ".xlsx",
                     "a" * 250 + ".xlsx"]),
)
content_types = st.sampled_from([XLSX, XLSX, "application/octet-stream", "text/csv", "application/pdf", ""])


def _upload(content: bytes, name: str, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _messages(html: str, testid: str) -> list[str]:
    """What a refused upload tells the user: the messages of the page's error block (file errors as list items,
    row errors in table cells), or the form's own error under the file field (an empty file, no file)."""
    if f'data-testid="{testid}"' not in html:
        return [message.strip() for message in re.findall(r'class="invalid-feedback">.*?<strong>(.*?)</strong>', html,
                                                            flags=re.S)]
    block = html.split(f'data-testid="{testid}"', 1)[1].split('<form method="post"', 1)[0]
    found = re.findall(r"<li>(.*?)</li>", block, flags=re.S) + re.findall(r"<div>(.*?)</div>", block, flags=re.S)
    return [message.strip() for message in found]


def _read_back(content: bytes, title: str | None = None) -> list[tuple]:
    """The rows of a sheet as Excel shows them (cached values, formulas without one read as empty)."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheets = {sheet.title: sheet for sheet in workbook.worksheets}
        sheet = sheets.get(title) or next(s for t, s in sheets.items() if t != excel.META_TITLE)
        sheet.reset_dimensions()
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _shown(value) -> str:
    """A cell as text, the way a person reads it (an integral number without ".0")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


# --- The staff import -----------------------------------------------------------------------------------------


def _staff_counts() -> tuple[int, int]:
    return Staff.objects.count(), Staff.history.count()


@st.composite
def staff_workbooks(draw, unit_codes: list[str]) -> bytes:
    """A staff list: the template's headers (or others), then rows of plausible and arbitrary cells."""
    headers = draw(st.one_of(
        st.just(VI_HEADERS), st.just(EN_HEADERS),
        st.permutations(VI_HEADERS),
        st.lists(st.sampled_from(VI_HEADERS + EN_HEADERS), max_size=9).map(list),  # missing or repeated columns
        st.just([header.upper() + " *" for header in VI_HEADERS]),
        st.lists(cell_values, max_size=9),
    ))
    by_header = {
        "staff_code": st.one_of(st.integers(0, 10**6).map("FZ{:07d}".format), st.just("FZ0000001"), cell_values),
        "full_name": st.one_of(st.just("Nguyễn Thị Hằng"), cell_text, cell_values),
        "unit_code": st.one_of(st.sampled_from(unit_codes), cell_values),
        "category": st.one_of(st.sampled_from(["Cán bộ", "công chức", "VIEN CHUC", "worker", "Người lao động"]),
                              cell_values),
        "position": st.one_of(st.none(), cell_text, cell_values),
        "leadership": st.one_of(st.none(), st.sampled_from(["Không", "Cấp trưởng", "phó", "Head"]), cell_values),
        "active_from": st.one_of(st.none(), st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 1, 1)),
                                 st.sampled_from(["15/01/2023", "2022-09-05", "31/02/2023", "01/01/0001"]),
                                 cell_values),
    }
    if draw(st.booleans()):  # a file a careful officer fills in: every cell acceptable, unicode and all
        headers = draw(st.sampled_from([VI_HEADERS, EN_HEADERS, VI_HEADERS[:4] + ["Ghi chú"] + VI_HEADERS[4:]]))
        by_header.update(
            full_name=cell_text.filter(lambda name: 0 < len(name.strip()) <= 150),
            unit_code=st.sampled_from(unit_codes[:4]),
            category=st.sampled_from(["Cán bộ", "công chức", "VIEN CHUC", "worker", "Người lao động"]),
            position=st.one_of(st.none(), cell_text.map(lambda text: text[:150])),
            leadership=st.one_of(st.none(), st.sampled_from(["Không", "Cấp trưởng", "phó", "Head"])),
            active_from=st.one_of(st.none(), st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 1, 1))),
        )
        codes = iter(draw(st.lists(st.integers(2, 10**6), min_size=STAFF_MAX_ROWS + 3, max_size=STAFF_MAX_ROWS + 3,
                                   unique=True)))
        by_header["staff_code"] = st.builds(lambda: f"FZ{next(codes):07d}")
    keys = list(by_header)
    header_key = {h: keys[VI_HEADERS.index(h) if h in VI_HEADERS else EN_HEADERS.index(h)]
                  for h in VI_HEADERS + EN_HEADERS}
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for _i in range(draw(st.integers(0, 2))):
        sheet.append([])
    sheet.append(headers)
    for _i in range(draw(st.integers(0, STAFF_MAX_ROWS + 2))):
        if draw(st.integers(0, 15)) == 0:
            row = draw(st.lists(cell_values, max_size=10))
        else:
            row = [draw(by_header[header_key[h]]) if isinstance(h, str) and h in header_key else draw(cell_values)
                   for h in headers]
        sheet.append(row)
    if draw(st.booleans()):
        workbook.create_sheet("Khác").append(draw(st.lists(cell_values, max_size=5)))
    return workbook_bytes(workbook)


def _staff_rows_in(content: bytes) -> int:
    """How many staff rows Excel shows under the header (the first filled row)."""
    filled = [row for row in _read_back(content) if any(_shown(value) for value in row)]
    return max(len(filled) - 1, 0)


@functools.lru_cache(maxsize=1)
def _template_like() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(VI_HEADERS)
    workbook.active.append(["FZ1", "Nguyễn Văn An", "phuong-thanh-xuan-bac-00367-cu", "Cán bộ", "", "", None])
    return workbook_bytes(workbook)


def test_any_staff_import_saves_every_row_or_nothing(ward_officer, thanh_xuan_bac, phuc_xa, staff_factory, settings):
    settings.STAFF_IMPORT_MAX_ROWS = STAFF_MAX_ROWS
    staff_factory(unit=thanh_xuan_bac, staff_code="FZ0000001")  # a code already in use
    unit_codes = [thanh_xuan_bac.public_code, thanh_xuan_bac.public_code.upper(), "00367", thanh_xuan_bac.official_code,
                  phuc_xa.public_code, "khong-co-99999", ""]
    url = reverse("units:staff_import")

    @fuzz_settings(ci_examples=350)
    @given(content=st.one_of(staff_workbooks(unit_codes), staff_workbooks(unit_codes), broken(_template_like())),
           name=upload_names, content_type=content_types)
    @example(content=zip_bomb(_template_like()), name="tep.xlsx", content_type=XLSX)
    def run(content, name, content_type):
        client = Client()
        with rolled_back():
            client.force_login(ward_officer)
            before = _staff_counts()

            response = client.post(url, {"file": _upload(content, name, content_type)})

            assert_not_5xx(response)
            if response.status_code == 302:
                assert response["Location"] == reverse("units:staff_list")
                created = _staff_rows_in(content)
                assert created > 0
                assert _staff_counts() == (before[0] + created, before[1] + created), "not every row was saved"
            else:
                assert response.status_code == 200, response.status_code
                assert _staff_counts() == before, "a refused import saved something"
                messages = _messages(response.content.decode(), "import-errors")
                assert messages and all(messages), "a refused import must say why"

    run()


# --- The monthly sheet upload ---------------------------------------------------------------------------------


def _sheet_state(sheet) -> dict[str, tuple]:
    return {r.staff.staff_code: (r.version, r.points, r.remark, r.grade, r.history.count())
            for r in Rating.objects.filter(sheet=sheet).select_related("staff")}


def _points_values(maximum: int):
    tenths = st.integers(0, maximum * 10).map(lambda n: n / 10)
    return st.one_of(
        tenths, tenths, st.integers(0, maximum),
        tenths.map(lambda points: f"{points:g}".replace(".", ",")),  # typed the Vietnamese way
        st.sampled_from([-1, maximum + 0.1, 10**20, 0.05, "", " 5 ", "mười", "1e1", "0x10", "inf"]),
        cell_values,
    )


@st.composite
def filled_sheets(draw, base: bytes, codes: dict[str, list[str]], group_maxima: list[int]) -> bytes:
    """The downloaded sheet as an officer might fill it in offline — or mangle it."""
    workbook = openpyxl.load_workbook(io.BytesIO(base))
    main, meta = workbook[excel.SHEET_TITLE], workbook[excel.META_TITLE]
    data_rows = list(range(excel.FIRST_DATA_ROW, main.max_row + 1))
    group_columns = range(4, 4 + len(group_maxima))
    remark_column = 4 + len(group_maxima) + 2
    clean = draw(st.integers(0, 2)) > 0  # most files: points an officer may type, a remark where one is due
    for row in data_rows:
        for column, maximum in zip(group_columns, group_maxima, strict=True):
            if draw(st.integers(0, 2)) == 0:
                values = st.integers(0, maximum * 10).map(lambda n: n / 10) if clean else _points_values(maximum)
                main.cell(row, column).value = draw(values)
        if draw(st.integers(0, 1)) == 0:
            remarks = cell_text.map(lambda text: text[:1000]) if clean else st.one_of(cell_text, cell_values,
                                                                                       st.just("x" * 1001))
            main.cell(row, remark_column).value = draw(remarks)
        if not clean and draw(st.integers(0, 6)) == 0:
            main.cell(row, 1).value = draw(st.one_of(st.sampled_from(codes["sheet"] + codes["other"]),
                                                     st.sampled_from(codes["sheet"]).map(str.lower), cell_values))
    if clean:
        return workbook_bytes(workbook)
    for _i in range(draw(st.integers(0, 1)) * draw(st.integers(1, SHEET_MAX_ROWS + 2))):
        main.append(draw(st.lists(st.one_of(st.sampled_from(codes["other"]), cell_values), max_size=10)))
    if draw(st.integers(0, 8)) == 0:  # a header changed
        main.cell(excel.HEADER_ROW, draw(st.integers(1, remark_column + 2))).value = draw(cell_values)
    if draw(st.integers(0, 10)) == 0:
        main.insert_rows(1, draw(st.integers(1, 12)))
    if draw(st.integers(0, 10)) == 0:
        main.delete_rows(draw(st.sampled_from(data_rows)))
    if draw(st.integers(0, 10)) == 0:
        main.title = draw(st.sampled_from(["Sheet1", "Phieu", excel.GUIDE_TITLE + "2"]))
    meta_change = draw(st.integers(0, 14))
    if meta_change == 0:
        workbook.remove(meta)
    elif meta_change == 1:
        meta.cell(draw(st.integers(1, meta.max_row)), draw(st.integers(1, 3))).value = draw(cell_values)
    return workbook_bytes(workbook)


def _expected_rows(content: bytes, group_codes: list[str]) -> dict[str, tuple[dict, str]]:
    """Staff code → (points by group, remark), as the uploaded file shows them under its header."""
    rows = _read_back(content, excel.SHEET_TITLE)
    header = next(i for i, row in enumerate(rows) if row and _shown(row[0]) == "Mã cán bộ")
    remark_index = 3 + len(group_codes) + 2
    expected = {}
    for row in rows[header + 1 :]:
        row = tuple(row) + (None,) * 12
        if _shown(row[0]):
            points = {code: Decimal(_shown(row[3 + i]).replace(",", ".")) for i, code in enumerate(group_codes)}
            expected[_shown(row[0]).upper()] = (points, _shown(row[remark_index]).replace("\r\n", "\n"))
    return expected


def test_any_sheet_upload_saves_every_changed_row_or_nothing(
    ward_officer, thanh_xuan_bac, thanh_xuan_trung, staff_factory, settings,
):
    settings.RATING_SHEET_UPLOAD_MAX_ROWS = SHEET_MAX_ROWS
    staff_factory.create_batch(4, unit=thanh_xuan_bac)
    other = staff_factory(unit=thanh_xuan_trung)  # a code of the sibling ward: "not staff of this unit"
    month = services.month_start(services.month_start(timezone.localdate()) - timedelta(days=1))
    sheet = open_sheet(thanh_xuan_bac, ward_officer, month)
    groups = list(sheet.scheme.groups.all())
    group_codes = [group.code for group in groups]
    codes = {"sheet": list(_sheet_state(sheet)), "other": [other.staff_code, "ZZ9999"]}
    url = reverse("evaluations:sheet_upload", kwargs={"pk": sheet.pk})
    downloader = Client()
    downloader.force_login(ward_officer)
    base = downloader.get(reverse("evaluations:sheet_xlsx", kwargs={"pk": sheet.pk})).content
    maxima = [int(group.max_points) for group in groups]

    @fuzz_settings(ci_examples=300)
    @given(content=st.one_of(filled_sheets(base, codes, maxima), filled_sheets(base, codes, maxima), broken(base)),
           name=upload_names, content_type=content_types)
    @example(content=zip_bomb(base), name="tep.xlsx", content_type=XLSX)
    @example(content=base, name="tep.xlsx", content_type=XLSX)  # nothing changed: accepted, nothing saved
    def run(content, name, content_type):
        client = Client()
        with rolled_back():
            client.force_login(ward_officer)
            before = _sheet_state(sheet)

            response = client.post(url, {"file": _upload(content, name, content_type)})

            assert_not_5xx(response)
            after = _sheet_state(sheet)
            if response.status_code == 302:
                assert response["Location"] == reverse("evaluations:sheet_detail", kwargs={"pk": sheet.pk})
                saved_rows = Rating.objects.filter(sheet=sheet).select_related("staff")
                ratings = {rating.staff.staff_code.upper(): rating for rating in saved_rows}
                for code, (points, remark) in _expected_rows(content, group_codes).items():
                    saved = ratings[code]
                    assert {k: Decimal(v) for k, v in saved.points.items()} == points, f"row {code} not saved"
                    assert saved.remark == remark
                for code, (version, points, remark, _grade, history) in before.items():
                    changed = (after[code][1], after[code][2]) != (points, remark)
                    assert after[code][0] == version + changed and after[code][4] == history + changed
            else:
                assert response.status_code == 200, response.status_code
                assert after == before, "a refused upload saved something"
                messages = _messages(response.content.decode(), "upload-errors")
                assert messages and all(messages), "a refused upload must say why"

    run()
