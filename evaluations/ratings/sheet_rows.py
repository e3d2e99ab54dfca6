"""The sheet's rows as the page first shows them, written in Python: the same markup as
``templates/evaluations/partials/sheet_row.html`` for a row without a save state (a test compares the two), at a
fraction of the template's cost — a 174-person sheet has some 14,000 template nodes to render otherwise. The htmx
answers (saved, refused, conflicting rows) keep using the template."""

from __future__ import annotations

from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from evaluations.choices import PointsSource

GRADE_CLASS = {"A": "text-bg-success", "B": "text-bg-primary", "C": "text-bg-warning"}


def _number(value) -> str:
    return str(floatformat(value, "-1"))


class SheetRowWriter:
    """Writes rows of one sheet; everything that does not depend on the row (URLs, words) is prepared once."""

    def __init__(self, *, groups, grade_labels: dict, can_record_violations: bool):
        self.groups = groups
        self.grade_labels = grade_labels
        self.can_record_violations = can_record_violations
        marker = "999999999"
        self.save_url = reverse("evaluations:rating_row_save", args=[marker]).split(marker)
        self.staff_url = reverse("units:staff_detail", kwargs={"pk": marker}).split(marker)
        self.violation_url = escape(reverse("evaluations:violation_create"))
        self.words = {key: escape(text) for key, text in {
            "remark": _("Remark"), "record": _("Record a violation"), "saving": _("Saving…"),
            "dirty": _("Not saved yet"), "failed": _("Not saved: the server did not answer. Change a value to try again."),
            PointsSource.SELF_ASSESSMENT: _("from the self-assessment"), PointsSource.LAST_PERIOD: _("from the period before"),
            PointsSource.BASELINE: _("starting points"),
        }.items()}

    def rows(self, rows) -> SafeString:
        return mark_safe("".join(self.row(row) for row in rows))  # every value in the rows is escaped

    def _badge(self, grade: str) -> str:
        title = f' title="{escape(self.grade_labels[grade])}"' if self.grade_labels else ""
        return f'<span class="badge {GRADE_CLASS.get(grade, "text-bg-danger")}"{title}>{grade}</span>'

    def row(self, row) -> str:
        w, pk, staff = self.words, row.pk, row.staff
        name = escape(staff.full_name)
        out = [f'<tr id="row-{pk}" class="sheet-row" data-testid="sheet-row" data-staff-code="{escape(staff.staff_code)}"']
        if row.cap_grade:
            out.append(f' data-cap-grade="{row.cap_grade}"')
        if row.editable:
            out.append(f' hx-post="{self.save_url[0]}{pk}{self.save_url[1]}" hx-trigger="change" hx-include="this"'
                       ' hx-target="closest tr" hx-swap="outerHTML" hx-sync="this:drop"')
        out.append(f'><th scope="row" class="sheet-name"><a href="{self.staff_url[0]}{staff.pk}{self.staff_url[1]}">{name}</a>')
        if staff.position:
            out.append(f'<span class="sheet-post"> · {escape(staff.position)}</span>')
        out.append(f'</th><td class="sheet-code"><code>{escape(staff.staff_code)}</code></td>')
        if row.editable:
            for cell in row.cells:
                out.append(
                    f'<td class="sheet-points"><input type="text" inputmode="decimal" class="form-control form-control-sm'
                    f' sheet-input" name="{cell.name}" id="{cell.id}" value="{escape(cell.value)}"'
                    f' data-col="{escape(cell.group.code)}" data-max="{cell.group.max_points}" autocomplete="off"'
                    f' maxlength="12" aria-label="{escape(cell.label)}"></td>'
                )
        else:
            for group in self.groups:
                out.append(f'<td class="text-end">{_number(row.points.get(group.code))}</td>')
        out.append(f'<td class="text-end fw-semibold sheet-total" data-testid="row-total">{_number(row.total)}</td>')
        out.append(f'<td class="sheet-grade" data-testid="row-grade" data-grade="{row.grade}">{self._badge(row.grade)}')
        if row.grade_capped:
            by_points = row.grade_by_points
            out.append(
                f'<span class="visually-hidden"> </span><abbr class="small ms-1" title="'
                f'{escape(_("%(grade)s by points, capped by a violation") % {"grade": by_points})}">'
                f'{escape(_("%(grade)s by points") % {"grade": by_points})}</abbr>'
            )
        out.append('</td><td class="sheet-remark">')
        if row.editable:
            invalid = " is-invalid" if row.remark_missing else ""
            out.append(
                f'<input type="text" class="form-control form-control-sm sheet-input{invalid}" name="r{pk}-remark"'
                f' id="id_r{pk}-remark" value="{escape(row.remark_value)}" data-col="remark" autocomplete="off"'
                f' maxlength="1000" aria-label="{w["remark"]} — {name}"'
            )
            if row.remark_required:
                out.append(' required aria-required="true"')
            if row.remark_missing:
                out.append(f' aria-describedby="id_r{pk}-remark-hint"')
            out.append(f'><input type="hidden" name="r{pk}-version" value="{row.version_value}">')
            if row.remark_missing:
                out.append(f'<span class="visually-hidden" id="id_r{pk}-remark-hint">'
                           f'{escape(_("Required: grade below B"))}</span>')
        else:
            out.append(escape(row.remark or ""))
        out.append('</td><td class="sheet-violations">')
        violations = row.staff.month_violations
        for violation in violations:
            out.append(render_to_string("evaluations/partials/sheet_violation_badge.html", {"violation": violation}))
            out.append(" ")
        if self.can_record_violations:
            out.append(f'<a class="small no-print" href="{self.violation_url}?staff={row.staff_id}" title="{w["record"]}">'
                       f'+<span class="visually-hidden"> {w["record"]}: {name}</span></a>')
        elif not violations:
            out.append('<span class="text-body-secondary">—</span>')
        out.append('</td><td class="sheet-self">')
        if row.self_points:
            when = date_format(timezone.localtime(row.self_assessed_at), "d/m/Y H:i") if row.self_assessed_at else ""
            remark = f": {row.self_remark}" if row.self_remark else ""
            points = " · ".join(_number(row.self_points.get(group.code)) for group in self.groups)
            out.append(f'<span title="{escape(when + remark)}">{points}</span>')
        else:
            out.append('<span class="text-body-secondary">—</span>')
        out.append('</td><td class="sheet-state" aria-live="polite" data-testid="row-state">')
        if row.editable:
            out.append(f'<span class="state-saving">{w["saving"]}</span><span class="state-dirty">{w["dirty"]}</span>'
                       f'<span class="state-failed text-danger">{w["failed"]}</span>')
        if row.points_source != PointsSource.RATER:
            out.append(f'<span class="state-done sheet-source" data-testid="row-source">{w[row.points_source]}</span>')
        out.append("</td></tr>")
        return "".join(out)
