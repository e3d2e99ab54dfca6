"""What the printable draft decision (Quyết định biểu dương) of a commendation list needs: the People's
Committee issuing it, the place name for the date line and the staff of Article 1.

The decision is a Vietnamese administrative document (layout of Decree 30/2020/NĐ-CP): its wording stays
Vietnamese whatever the page's language."""

from __future__ import annotations

from django.utils import timezone

from reports.choices import CommendationStatus
from reports.commendations.figures import commendation_entries
from reports.models import CommendationList
from units.choices import UnitKind

# Bodies inside a unit (departments, schools) do not issue decisions: their People's Committee does.
NOT_ISSUING = (UnitKind.DEPARTMENT, UnitKind.PUBLIC_SERVICE, UnitKind.OTHER)
NAME_PREFIXES = ("Thành phố ", "Thị xã ", "Thị trấn ", "Đặc khu ", "Quận ", "Huyện ", "Phường ", "Xã ", "Tỉnh ")


def place_name(unit) -> str:
    """"Quận Thanh Xuân" → "Thanh Xuân": the place written before the date of a document."""
    for prefix in NAME_PREFIXES:
        if unit.name.startswith(prefix):
            return unit.name[len(prefix):]
    return unit.name


def issuing_unit(unit):
    while unit.kind in NOT_ISSUING and unit.parent_id:
        unit = unit.parent
    return unit


def period_text(commendation_list: CommendationList) -> str:
    """The period as the decision writes it: "quý 3 năm 2026", or "năm 2026" for the year's list."""
    if commendation_list.is_annual:
        return f"năm {commendation_list.year}"
    return f"quý {commendation_list.quarter} năm {commendation_list.year}"


def results_basis(commendation_list: CommendationList) -> str:
    """The results the decision rests on: the quarter's monthly ratings, or the year's annual classification."""
    if commendation_list.is_annual:
        return f"kết quả đánh giá, xếp loại chất lượng năm {commendation_list.year}"
    return f"kết quả đánh giá, xếp loại hằng tháng {period_text(commendation_list)}"


def decision_context(*, commendation_list: CommendationList) -> dict:
    """The template's context: the list, the issuing unit, its place name, the date line, the period and the
    results it rests on, and the staff."""
    issuer = issuing_unit(commendation_list.unit)
    approved = commendation_list.status == CommendationStatus.APPROVED
    day = timezone.localtime(commendation_list.approved_at).date() if commendation_list.approved_at else None
    return {
        "commendation_list": commendation_list,
        "issuer": issuer,
        "issuer_name_upper": issuer.name.upper(),
        "place": place_name(issuer),
        "day": day,
        "year": day.year if day else timezone.localdate().year,
        "is_draft": not approved,
        "period_text": period_text(commendation_list),
        "results_basis": results_basis(commendation_list),
        "entries": commendation_entries(commendation_list=commendation_list),
    }
