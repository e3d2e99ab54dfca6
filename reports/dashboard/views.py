"""Pages of the reports app: dashboard.

``dashboard/`` sends the user to the dashboard of their highest unit (a district office to its district, a city
admin to the city) or offers a choice, keeping the query string; ``dashboard/<unit>/`` shows a unit in the user's
scope (404 outside it), for ``?month=YYYY-MM`` (this month when absent, malformed or in the future);
``dashboard/<unit>/history/`` its months across the reform, ``?from=YYYY-MM&to=YYYY-MM``.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.dates import MONTH_INPUT_FORMAT, add_months, parse_month
from evaluations.choices import Grade
from reports.dashboard import charts
from reports.dashboard.history import MAX_MONTHS, unit_history_build
from reports.dashboard.selectors import dashboard_build
from units.choices import Structure
from units.models import Unit
from units.scope import scope_for
from units.selectors import unit_get_for_user


def dashboard_roots(*, user) -> list[Unit]:
    """The highest units the user covers (nested assignments collapse into the one above). One query."""
    if scope_for(user).is_global:
        return list(Unit.objects.filter(parent__isnull=True).order_by("path"))
    return list(Unit.objects.scope_tops(user).order_by("path"))


MONTH_PATTERN = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])")
EARLIEST_MONTH = datetime.date(2000, 1, 1)  # the trend reaches a year back: keep clear of year 1


def reference_month(text: str | None) -> datetime.date:
    """The month asked for ("YYYY-MM" exactly), or this month when it is missing, malformed, implausibly old or
    still to come."""
    this_month = timezone.localdate().replace(day=1)
    month = parse_month(text) if text and MONTH_PATTERN.fullmatch(text.strip()) else None
    return month if month is not None and EARLIEST_MONTH <= month <= this_month else this_month


class DashboardRedirectView(LoginRequiredMixin, View):
    """Go to the dashboard of the user's only top unit, or list their top units to choose from."""

    http_method_names = ["get"]

    def get(self, request):
        roots = dashboard_roots(user=request.user)
        # The month and the structure asked for (a link such as /dashboard/?structure=current) travel along.
        query = request.GET.urlencode()
        if len(roots) == 1:
            url = reverse("reports:unit_dashboard", kwargs={"public_code": roots[0].public_code})
            return redirect(f"{url}?{query}" if query else url)
        return render(request, "reports/dashboard_chooser.html", {"roots": roots, "query": query})


def _grade_chart(board, month_param: str) -> charts.StackedBarChart:
    series = [charts.Series(g, g, charts.GRADE_COLOURS[g], g in charts.HATCHED) for g in Grade.values]
    # A unit's own dashboard opens on the same month and, when one was chosen, the same structure.
    query = urlencode({"month": month_param, **({"structure": board.structure} if board.structure else {})})
    rows = [
        (row.unit.name, f"{reverse('reports:unit_dashboard', args=[row.unit.public_code])}?{query}", row.grades)
        for row in board.rows
    ]
    month = board.grade_month
    return charts.stacked_bar_chart(
        chart_id="grades",
        title=_("Grade distribution by unit"),
        description=(
            _("Share of grades A, B, C and D among the staff rated on submitted sheets of %(month)s, one bar per unit.")
            % {"month": charts.month_label(month)}
            if month else _("No submitted sheet yet.")
        ),
        series=series,
        rows=rows,
    )


def _trend_chart(board) -> charts.LineChart:
    return charts.line_chart(
        chart_id="trend",
        title=_("Satisfaction index over 12 months"),
        description=_("Share of citizens' ratings of 4 or 5 out of 5 each month, from %(first)s to %(last)s; "
                      "a month without ratings leaves a gap.")
        % {"first": charts.month_label(board.trend[0][0]), "last": charts.month_label(board.trend[-1][0])},
        points=[(charts.month_label(month), value) for month, value in board.trend],
        ticks=charts.month_ticks([month for month, _value in board.trend]),
    )


def _kinds_chart(board) -> charts.BarChart:
    return charts.bar_chart(
        chart_id="kinds",
        title=_("Feedback by kind"),
        description=_("Feedback cases received from %(first)s to %(last)s by kind (rejected cases left out).")
        % {"first": charts.month_label(board.kinds_since), "last": charts.month_label(board.month)},
        bars=[(str(label), count) for _kind, label, count in board.kinds],
    )


def _structure_choices(board) -> list[tuple[str, str]]:
    """The row filters offered where the units beneath hold both structures: every row shown (units in force and
    former units with figures), or one structure."""
    if len(board.structures) < 2:
        return []
    return [("", _("In force, and former units with figures")),
            *((value, label) for value, label in Structure.choices if value in board.structures)]


class UnitDashboardView(LoginRequiredMixin, TemplateView):
    """A unit's dashboard: tiles, three charts and the ranking of the units directly beneath it."""

    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = unit_get_for_user(user=self.request.user, public_code=kwargs["public_code"])
        month = reference_month(self.request.GET.get("month"))
        board = dashboard_build(
            user=self.request.user, root=unit, month=month, structure=self.request.GET.get("structure", "")
        )
        month_param = month.strftime(MONTH_INPUT_FORMAT)
        this_month = timezone.localdate().replace(day=1)
        following = add_months(month, 1)
        context.update(
            unit=unit,
            board=board,
            month=month,
            month_param=month_param,
            previous_month=add_months(month, -1).strftime(MONTH_INPUT_FORMAT),
            next_month=following.strftime(MONTH_INPUT_FORMAT) if following <= this_month else "",
            structure_choices=_structure_choices(board),
            grade_chart=_grade_chart(board, month_param),
            trend_chart=_trend_chart(board),
            kinds_chart=_kinds_chart(board),
            rank_weights=board.weights,
            grades=Grade.values,
            has_children=board.rows and board.rows[0].unit.pk != unit.pk,
        )
        return context


class UnitHistoryView(LoginRequiredMixin, TemplateView):
    """A unit's months across the reform: its own figures while it exists, before that those of the units it was
    formed from, added up. ``?from=`` and ``?to=`` (YYYY-MM) choose the months, by default from January of last
    year to this month; a period that cannot be shown falls back to the default, with a message."""

    template_name = "reports/unit_history.html"

    def _period(self) -> tuple[datetime.date, datetime.date, str]:
        this_month = timezone.localdate().replace(day=1)
        default = (this_month.replace(year=this_month.year - 1, month=1), this_month)
        given = [self.request.GET.get(name, "").strip() for name in ("from", "to")]
        if not any(given):
            return (*default, "")
        first, last = (parse_month(text) if MONTH_PATTERN.fullmatch(text) else None for text in given)
        if first is None or last is None:
            return (*default, _("Give both months as YYYY-MM; the default period is shown."))
        if first > last:
            return (*default, _("The first month comes after the last; the default period is shown."))
        if first < EARLIEST_MONTH:
            return (*default, _("That period is too far back; the default period is shown."))
        message = ""
        if last > this_month:
            last, message = this_month, _("The months still to come are left out.")
        if first > last:
            return (*default, _("That period has not started yet; the default period is shown."))
        if add_months(first, MAX_MONTHS - 1) < last:
            first = add_months(last, 1 - MAX_MONTHS)
            message = _("At most %(months)s months are shown: the last ones of the period.") % {"months": MAX_MONTHS}
        return first, last, message

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = unit_get_for_user(user=self.request.user, public_code=kwargs["public_code"])
        first, last, message = self._period()
        history = unit_history_build(user=self.request.user, unit=unit, first=first, last=last)
        context.update(
            unit=unit, history=history, first=first.strftime(MONTH_INPUT_FORMAT), last=last.strftime(MONTH_INPUT_FORMAT),
            period_message=message, grades=Grade.values,
        )
        return context
