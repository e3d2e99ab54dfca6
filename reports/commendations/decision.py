"""What the printable draft decision (Quyết định biểu dương) of a commendation list needs: the People's
Committee issuing it, the place name for the date line, the legal bases it cites and the staff of Article 1.

The bases are those in force for the list's unit, never a fixed city's: the staff code of conduct in force
there (its issuing decision, ``CodeOfConduct.legal_basis``) and the legal basis of the commendation rule that
drew up the list.

The decision is a Vietnamese administrative document (layout of Decree 30/2020/NĐ-CP): its wording stays
Vietnamese whatever the page's language."""

from __future__ import annotations

from django.utils import timezone

from core.text import place_name
from pledges.selectors import code_in_force
from reports.choices import CommendationStatus
from reports.commendations.figures import commendation_entries
from reports.models import CommendationList
from units.choices import UnitKind

# Bodies inside a unit (departments, schools) do not issue decisions: their People's Committee does.
NOT_ISSUING = (UnitKind.DEPARTMENT, UnitKind.PUBLIC_SERVICE, UnitKind.OTHER)


def issuing_unit(unit):
    while unit.kind in NOT_ISSUING and unit.parent_id:
        unit = unit.parent
    return unit


EMULATION_LAW = "Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022"


def legal_bases(*, commendation_list: CommendationList, day) -> list[str]:
    """The "Căn cứ …" lines of the decision: the laws, the staff code of conduct in force for the list's unit on
    ``day`` (its issuing decision and title), then the commendation rule's own legal basis (when that is the
    emulation law itself, it replaces the generic line)."""
    rule_basis = (commendation_list.rule.legal_basis or "").strip().rstrip(";.")
    bases = ["Luật Tổ chức chính quyền địa phương"]
    if not rule_basis.startswith("Luật Thi đua, khen thưởng"):
        bases.append(EMULATION_LAW)
    code = code_in_force(unit=commendation_list.unit, day=day)
    if code is not None:
        bases.append(f"{code.legal_basis} ban hành {code.title}")
    if rule_basis:
        bases.append(rule_basis)
    return bases


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
    """The template's context: the list, the issuing unit, its place name, the date line, the legal bases, the
    period and the results it rests on, and the staff."""
    issuer = issuing_unit(commendation_list.unit)
    approved = commendation_list.status == CommendationStatus.APPROVED
    day = timezone.localtime(commendation_list.approved_at).date() if commendation_list.approved_at else None
    return {
        "commendation_list": commendation_list,
        "issuer": issuer,
        "issuer_name_upper": issuer.name.upper(),
        "place": place_name(issuer.name),
        "day": day,
        "year": day.year if day else timezone.localdate().year,
        "is_draft": not approved,
        # The bases in force when the decision is signed: on approval, else today's (a draft).
        "legal_bases": legal_bases(commendation_list=commendation_list, day=day or timezone.localdate()),
        "period_text": period_text(commendation_list),
        "results_basis": results_basis(commendation_list),
        "entries": commendation_entries(commendation_list=commendation_list),
    }
