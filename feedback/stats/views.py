"""Public statistics of citizen feedback, without login: the list of units with one month's figures
(``/feedback/stats/``, searchable, paginated) and one unit over twelve months with its charts
(``/feedback/<public code>/stats/``); each downloads as CSV. Figures only: no personal data, no case text."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core import charts
from core.xlsx import csv_response
from feedback.stats import selectors
from feedback.stats.selectors import MonthStats, UnitStats

PAGE_SIZE = 25
QUERY_MAX_LENGTH = 100


def _csv_url(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    return f"{request.path}?{query.urlencode()}"


def _number(value: float | None) -> float | str:
    return "" if value is None else round(value, 1)


def csv_header() -> list[str]:
    return [_("Month"), _("Unit"), _("Public code"), _("Above"), _("Cases received"), _("Answered on time (%)"),
            _("Satisfaction index (%)"), _("Handling satisfaction (%)"), _("Median days to answer")]


def csv_row(stats: UnitStats, month: MonthStats) -> list:
    unit = stats.unit
    return [f"{month.month:%Y-%m}", unit.name, unit.public_code, unit.parent.name if unit.parent_id else "",
            month.received, _number(month.on_time), _number(month.satisfaction), _number(month.handling),
            _number(month.median_days)]


class StatsListView(View):
    """Every unit of the structure in force (or the former one) with one month's figures; ``?format=csv``
    downloads the whole list (all pages) of the search."""

    def get(self, request):
        # Control characters (a NUL, which PostgreSQL refuses even in a query) are no part of a unit's name.
        query = "".join(ch for ch in request.GET.get("q", "")[:QUERY_MAX_LENGTH] if ch >= " ").strip()
        former = request.GET.get("former") == "1"
        month = selectors.stats_month(request.GET.get("month"))
        # ``?within=<public code>``: the wards of one district (or province); an unknown code lists nothing.
        within_code = request.GET.get("within", "")[:QUERY_MAX_LENGTH]
        within = selectors.unit_stats_get(public_code=within_code) if within_code and "\x00" not in within_code else None
        units = selectors.stats_units(query=query, former=former, within=within)
        if within_code and within is None:
            units = units.none()
        if request.GET.get("format") == "csv":
            rows = selectors.units_month_stats(units=list(units), month=month)
            return csv_response(
                filename=f"feedback-stats-{month:%Y-%m}.csv", header=csv_header(),
                rows=(csv_row(stats, stats.latest) for stats in rows),
            )
        paginator = Paginator(units, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        rows = selectors.units_month_stats(units=list(page.object_list), month=month)
        return render(request, "feedback/stats/stats_list.html", {
            "rows": rows, "page_obj": page, "paginator": paginator, "is_paginated": page.has_other_pages(),
            "csv_url": _csv_url(request),
            "query": query, "former": former, "within": within, "month": month, "this_month": timezone.localdate().replace(day=1),
        })


def _line(chart_id: str, title: str, description: str, months: list[MonthStats], attribute: str) -> charts.LineChart:
    return charts.line_chart(
        chart_id=chart_id, title=title, description=description,
        points=[(charts.month_label(m.month), getattr(m, attribute)) for m in months],
        ticks=charts.month_ticks([m.month for m in months]),
    )


class UnitStatsView(View):
    """One unit (its whole subtree) over twelve months: charts drawn on the server and the data table;
    ``?format=csv`` downloads the table."""

    def get(self, request, public_code):
        unit = selectors.unit_stats_get(public_code=public_code)
        if unit is None:
            return render(request, "feedback/public_unit_not_found.html", status=404)
        month = selectors.stats_month(request.GET.get("month"))
        stats = selectors.unit_stats(unit=unit, month=month)
        if request.GET.get("format") == "csv":
            return csv_response(
                filename=f"feedback-stats-{unit.public_code}-{month:%Y-%m}.csv", header=csv_header(),
                rows=(csv_row(stats, m) for m in stats.months),
            )
        months = stats.months
        return render(request, "feedback/stats/unit_stats.html", {
            "unit": unit, "stats": stats, "month": month, "csv_url": _csv_url(request), "this_month": timezone.localdate().replace(day=1),
            "satisfaction_chart": _line(
                "satisfaction", _("Satisfaction index over 12 months"),
                _("Share of citizens' ratings of 4 or 5 among all ratings, month by month."), months, "satisfaction"),
            "on_time_chart": _line(
                "on-time", _("Feedback answered on time over 12 months"),
                _("Share of cases closed by their due date, month by month."), months, "on_time"),
            "handling_chart": _line(
                "handling", _("Handling satisfaction over 12 months"),
                _("Share of ratings of the handling of 4 or 5 among all such ratings, month by month."), months,
                "handling"),
            "received_chart": charts.bar_chart(
                chart_id="received", title=_("Cases received by month"),
                description=_("Number of feedback cases received each month."),
                bars=[(charts.month_label(m.month), m.received) for m in months], label_width=90),
        })
