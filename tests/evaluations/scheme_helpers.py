"""Helpers of the scheme tests: a valid scheme as typed, with anything overridden, and the rows of the tables a
refusal must leave untouched."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from evaluations.choices import CapKind, Grade, RatingPeriod
from evaluations.models import Criterion, CriterionGroup, RatingSheet, ScoringScheme
from evaluations.schemes.services import CriterionValues, GroupValues, SchemeValues


def criteria(*pairs) -> tuple[CriterionValues, ...]:
    return tuple(CriterionValues(name=name, max_points=Decimal(points)) for name, points in pairs)


GENERAL = GroupValues(
    code="chung", name="Tiêu chí chung", max_points=Decimal(30),
    criteria=criteria(("Đạo đức, lối sống", 10), ("Thái độ phục vụ Nhân dân", 10), ("Văn hóa công vụ: 4 xin, 4 luôn", 10)),
)
TASKS = GroupValues(
    code="nhiem-vu", name="Kết quả thực hiện nhiệm vụ", max_points=Decimal(70),
    criteria=criteria(("Số lượng", 35), ("Chất lượng, tiến độ", 35)),
)
BONUS = GroupValues(code="thuong", name="Điểm thưởng", max_points=Decimal(5), is_bonus=True)


def scheme_values(**overrides) -> SchemeValues:
    """A valid scheme (30 + 70 points, up to 5 bonus; Decree 335's thresholds and cap) from 01/01/2027."""
    values = SchemeValues(
        name="Đánh giá công chức của tỉnh", legal_basis="Quyết định 01/2027/QĐ-UBND",
        effective_from=datetime.date(2027, 1, 1), period=RatingPeriod.MONTHLY,
        a_min=Decimal(90), b_min=Decimal(70), c_min=Decimal(50), cap_kind=CapKind.SHARE_OF_GOOD,
        a_share_cap_percent=20, exceptional_cap_percent=30,
        cap_minor=Grade.B, cap_serious=Grade.D, cap_very_serious=Grade.D,
        groups=(GENERAL, TASKS, BONUS),
    )
    return dataclasses.replace(values, **overrides)


def group(base: GroupValues, **overrides) -> GroupValues:
    return dataclasses.replace(base, **overrides)


def table_counts() -> tuple[int, int, int, int]:
    """Rows of schemes, groups, criteria and scheme history: a refusal changes none of them."""
    return (ScoringScheme.objects.count(), CriterionGroup.objects.count(), Criterion.objects.count(),
            ScoringScheme.history.count())


def sheet_state(sheet: RatingSheet) -> tuple:
    sheet.refresh_from_db()
    return sheet.scheme_id, sheet.status, sorted(sheet.ratings.values_list("grade", "total", "version"))


def form_post(values: SchemeValues, *, jurisdiction=None, reason: str = "", extra_groups: int = 1) -> dict:
    """What the scheme page posts for ``values``: the scheme's fields, a row per group and criterion, blank rows."""
    data = {
        "name": values.name, "legal_basis": values.legal_basis,
        "effective_from": values.effective_from.isoformat() if values.effective_from else "",
        "period": values.period, "a_min": str(values.a_min), "b_min": str(values.b_min), "c_min": str(values.c_min),
        "cap_kind": values.cap_kind, "a_share_cap_percent": str(values.a_share_cap_percent),
        "exceptional_cap_percent": "" if values.exceptional_cap_percent is None else str(values.exceptional_cap_percent),
        "cap_minor": values.cap_minor, "cap_serious": values.cap_serious, "cap_very_serious": values.cap_very_serious,
        "annual_method": values.annual_method,
        "annual_min_rated_percent": "" if values.annual_min_rated_percent is None else str(values.annual_min_rated_percent),
        "annual_d_period_cap": values.annual_d_period_cap, "annual_sanction_trigger": values.annual_sanction_trigger,
        "annual_a_cap_percent": "" if values.annual_a_cap_percent is None else str(values.annual_a_cap_percent),
        "groups": str(len(values.groups) + extra_groups),
    }
    if jurisdiction is not None:
        data["jurisdiction"] = str(jurisdiction.pk)
    if reason:
        data["reason"] = reason
    for index, group_values in enumerate(values.groups):
        prefix = f"g{index}"
        data.update({
            f"{prefix}-code": group_values.code, f"{prefix}-name": group_values.name,
            f"{prefix}-max_points": str(group_values.max_points).replace(".", ","), f"{prefix}-order": str(index + 1),
            f"{prefix}-criteria": str(len(group_values.criteria) + 1),
        })
        if group_values.is_bonus:
            data[f"{prefix}-is_bonus"] = "on"
        for position, criterion in enumerate(group_values.criteria):
            data[f"{prefix}-c{position}-name"] = criterion.name
            data[f"{prefix}-c{position}-max_points"] = str(criterion.max_points)
    for index in range(len(values.groups), len(values.groups) + extra_groups):
        data[f"g{index}-criteria"] = "2"
    return data
