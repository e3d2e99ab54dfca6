"""Helpers of the dashboard tests: a corrective action on a visit, and what the page shows (tiles, ranking
cells, charts)."""

from __future__ import annotations

import re

from evaluations.choices import VisitKind, VisitStatus
from tests.factories import CorrectiveActionFactory, InspectionVisitFactory, record_results


def action_on(team, unit, *, kind=VisitKind.SCHEDULED, status=VisitStatus.IN_PROGRESS, due_on=None):
    """A visit of ``unit`` with one finding and one open corrective action owned by the unit."""
    visit = InspectionVisitFactory(team=team, unit=unit, kind=kind, status=status)
    results = record_results(visit, failed=1)
    due = {"due_on": due_on} if due_on else {}
    return CorrectiveActionFactory(finding__visit=visit, finding__result=results[0], **due)


def shown(html: str, name: str) -> str:
    match = re.search(rf'data-testid="{name}"[^>]*>([^<]*)<', html)
    assert match, f"no {name} on the page"
    return match[1].strip()


def ranking_row(html: str, public_code: str) -> str:
    match = re.search(rf'<tr data-unit="{re.escape(public_code)}">(.*?)</tr>', html, re.S)
    assert match, f"no ranking row for {public_code}"
    return match[1]


def cell(row_html: str, column: str) -> str:
    match = re.search(rf'data-col="{column}">(.*?)</td>', row_html, re.S)
    assert match, f"no {column} cell"
    return re.sub(r"<[^>]+>", "", match[1]).strip()


def svg(html: str, chart: str) -> str:
    match = re.search(rf'<svg[^>]*data-chart="{chart}".*?</svg>', html, re.S)
    assert match, f"no {chart} chart"
    return match[0]
