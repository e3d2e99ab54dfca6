"""Pages of the annual summary (tổng kết năm): the summaries in the user's scope with a request form, one summary
(its figures, its progress while it runs, polled by htmx), the workbook download and the retry of a failed build.

Everything is read through ``annual_reports_visible_to``: a summary of a unit outside the scope is a 404; a unit in
scope where the user may not build reports is a 403 on requesting."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from core.choices import JobStatus
from core.files import private_file_response
from core.forms import add_service_errors
from evaluations.choices import AnnualStatus, Grade, Severity
from feedback.choices import Channel, FeedbackKind
from reports.annual.selectors import PARTLY_APPROVED, annual_report_get_for_user, annual_reports_visible_to
from reports.annual.services import annual_report_request, annual_report_retry
from reports.dashboard import charts
from reports.quarterly.selectors import report_units_for_user
from units.choices import Structure
from units.models import Unit
from units.scope import Capability, scope_for

YEARS_OFFERED = 5


def year_choices(today: datetime.date | None = None) -> list[tuple[str, str]]:
    """The current year and the four before it (a year not started is never offered)."""
    year = (today or timezone.localdate()).year
    return [(str(y), str(y)) for y in range(year, year - YEARS_OFFERED, -1)]


class AnnualReportRequestForm(forms.Form):
    """Which unit and year; the unit is looked up in the user's scope by the view (404 outside it)."""

    unit = forms.CharField(label=gettext_lazy("Unit"), widget=forms.Select)
    # The last five years are offered; any year the service accepts may be posted (a summary's "Build again").
    year = forms.IntegerField(label=gettext_lazy("Year"), widget=forms.Select)
    rebuild = forms.BooleanField(label=gettext_lazy("Build again if it exists"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.choices = [
            (unit.public_code, unit.name if unit.structure != Structure.LEGACY else f"{unit.name} ({_('before 1 July 2025')})")
            for unit in units
        ]
        self.fields["year"].widget.choices = year_choices()
        self.fields["year"].initial = str(timezone.localdate().year - 1)


class AnnualReportListView(LoginRequiredMixin, TemplateView):
    """Annual summaries of the units in the user's scope, and the form to request one where the user may build."""

    template_name = "reports/annual_report_list.html"

    def get_context_data(self, form=None, **kwargs):
        user = self.request.user
        if form is None and scope_for(user).can_anywhere(Capability.BUILD_REPORTS):
            form = AnnualReportRequestForm(units=report_units_for_user(user))
        return super().get_context_data(reports=annual_reports_visible_to(user)[:200], form=form, **kwargs)


class AnnualReportRequestView(LoginRequiredMixin, View):
    """POST: request (or rebuild) a unit's summary of a year, then show it."""

    def post(self, request):
        form = AnnualReportRequestForm(request.POST, units=report_units_for_user(request.user))
        if form.is_valid():
            unit = get_object_or_404(Unit.objects.visible_to(request.user), public_code=form.cleaned_data["unit"])
            try:
                report = annual_report_request(
                    actor=request.user, unit=unit, year=form.cleaned_data["year"], rebuild=form.cleaned_data["rebuild"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if report.is_active:
                    messages.info(request, _("The report is being built; this page follows its progress."))
                return redirect("reports:annual_report_detail", pk=report.pk)
        view = AnnualReportListView(request=request, args=(), kwargs={})
        return view.render_to_response(view.get_context_data(form=form), status=400)


def _segments(shares: list[float | None], grades: list[str]) -> list[dict]:
    """Where each grade's part of a 100-unit wide stacked bar starts and how wide it is (an SVG drawn on the server)."""
    x, parts = 0.0, []
    for grade, value in zip(grades, shares, strict=True):
        if value:
            parts.append({"grade": grade, "x": round(x, 2), "width": round(value, 2),
                          "colour": charts.GRADE_COLOURS.get(grade, "#6c757d"), "share": round(value, 1)})
            x += value
    return parts


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _dated(rows: list[dict]) -> list[dict]:
    """Rows with their ``until`` (and ``month``) as dates for the template."""
    return [{**row, "until": _day(row.get("until")), **({"month": _day(row["month"])} if "month" in row else {})}
            for row in rows]


def _grade_chart(data: dict, public_code: str) -> charts.StackedBarChart:
    ratings = data["ratings"]
    series = [charts.Series(g, g, charts.GRADE_COLOURS[g], g in charts.HATCHED) for g in ratings["grades"]]
    dashboard = reverse("reports:unit_dashboard", args=[public_code])
    rows = []
    for month, block in zip(ratings["months"], ratings["month_totals"], strict=True):
        day = datetime.date.fromisoformat(month)
        rows.append((charts.month_label(day), f"{dashboard}?month={day:%Y-%m}", dict(zip(ratings["grades"], block["counts"],
                                                                                           strict=True))))
    return charts.stacked_bar_chart(
        chart_id="annual-grades", title=_("Grades by month"),
        description=_("Share of grades A, B, C and D among the staff rated on submitted sheets, one bar per month of "
                      "%(year)s.") % {"year": data["year"]},
        series=series, rows=rows, label_width=90,
    )


def _satisfaction_chart(data: dict) -> charts.LineChart:
    months = [datetime.date.fromisoformat(m["month"]) for m in data["feedback"]["months"]]
    return charts.line_chart(
        chart_id="annual-satisfaction", title=_("Satisfaction index by month"),
        description=_("Share of citizens' ratings of 4 or 5 out of 5 each month of %(year)s; a month without ratings "
                      "leaves a gap.") % {"year": data["year"]},
        points=[(charts.month_label(month), m["satisfaction"]) for month, m in zip(months, data["feedback"]["months"],
                                                                                   strict=True)],
        ticks=charts.month_ticks(months),
    )


def _kinds_chart(data: dict) -> charts.BarChart:
    labels = dict(FeedbackKind.choices)
    feedback = data["feedback"]
    return charts.bar_chart(
        chart_id="annual-kinds", title=_("Feedback by kind"),
        description=_("Feedback cases received in %(year)s by kind.") % {"year": data["year"]},
        bars=[(str(labels.get(kind, kind)), count) for kind, count in zip(feedback["kinds"], feedback["kind_totals"],
                                                                          strict=True)],
    )


def _classification_display(section: dict | None) -> dict | None:
    """The annual classification section with a grade bar per row and in all (None: built before it existed)."""
    if section is None:
        return None
    grades = section["grades"]
    labels = dict(AnnualStatus.choices)

    def status_label(row: dict) -> str:
        if row["status"] is None:
            return _("No list yet")
        if row["status"] == PARTLY_APPROVED:
            return _("%(approved)s of %(lists)s lists approved") % {"approved": row["lists_approved"], "lists": row["lists"]}
        return str(labels.get(row["status"], row["status"]))

    return {
        **section,
        "rows": [{**row, "segments": _segments(row["shares"], grades), "status_label": status_label(row)}
                 for row in _dated(section["rows"])],
        "total": {**section["total"], "segments": _segments(section["total"]["shares"], grades)},
    }


def _year_list_display(section: dict | None) -> dict | None:
    if section is None:
        return None
    return {**section, "approved_on": _day(section["approved_on"])}


def annual_display(data: dict, public_code: str) -> dict:
    """The stored figures shaped for the template: labels in the page's language, months and days as dates, grade
    bars and the charts drawn on the server."""
    if not data:
        return {}
    ratings, feedback = data["ratings"], data["feedback"]
    grades = ratings["grades"]
    grade_labels = dict(Grade.choices)
    months = [datetime.date.fromisoformat(m) for m in ratings["months"]]
    kinds, channels = dict(FeedbackKind.choices), dict(Channel.choices)
    return {
        "year": data["year"],
        "sections": data["sections"],
        "generated_on": _day(data["generated_on"]),
        "formed_from": _dated([{"unit": f["name"], "until": f["until"]} for f in data["formed_from"]]),
        "coverage": [{**block, "rows": _dated(block["rows"])} for block in data["coverage"]],
        "grades": [(g, grade_labels.get(g, g), charts.GRADE_COLOURS.get(g)) for g in grades],
        "ratings_months": [{"month": month, **block, "segments": _segments(block["shares"], grades)}
                           for month, block in zip(months, ratings["month_totals"], strict=True)],
        "ratings_total": {**ratings["total"], "segments": _segments(ratings["total"]["shares"], grades)},
        "ratings_rows": [{**row, "year": {**row["year"], "segments": _segments(row["year"]["shares"], grades)}}
                         for row in _dated(ratings["rows"])],
        "grade_chart": _grade_chart(data, public_code),
        "severities": [dict(Severity.choices).get(s, s) for s in data["violations"]["severities"]],
        "violations": {**data["violations"], "by_month": _dated(data["violations"]["by_month"]),
                       "rows": _dated(data["violations"]["rows"])},
        "inspections": {**data["inspections"], "by_month": _dated(data["inspections"]["by_month"]),
                        "rows": _dated(data["inspections"]["rows"]), "as_of": _day(data["inspections"]["as_of"])},
        "feedback": {**feedback, "months": _dated(feedback["months"]), "rows": _dated(feedback["rows"])},
        "kinds": [kinds.get(k, k) for k in feedback["kinds"]],
        "channels": list(zip([channels.get(c, c) for c in feedback["channels"]], feedback["channel_counts"], strict=True)),
        "satisfaction_chart": _satisfaction_chart(data),
        "kinds_chart": _kinds_chart(data),
        "commendations": {**data["commendations"], "lists": [{**line, "approved_on": _day(line["approved_on"])}
                                                             for line in data["commendations"]["lists"]]},
        "annual_classification": _classification_display(data.get("annual_classification")),
        "year_commendations": _year_list_display(data.get("year_commendations")),
    }


class AnnualReportDetailView(LoginRequiredMixin, TemplateView):
    """One summary: its status and progress (polled every 2 s while it runs; a Retry button when it is stuck), the
    reason of a failure with a Retry button, the figures of every section and the download button once ready."""

    template_name = "reports/annual_report_detail.html"

    def get_context_data(self, **kwargs):
        report = annual_report_get_for_user(user=self.request.user, pk=kwargs["pk"])
        can_build = scope_for(self.request.user).can(Capability.BUILD_REPORTS, report.unit)
        figures = annual_display(report.data, report.unit.public_code) if report.status == JobStatus.SUCCESS else {}
        return super().get_context_data(report=report, figures=figures, can_build=can_build, **kwargs)


class AnnualReportProgressView(LoginRequiredMixin, TemplateView):
    """The progress fragment; once the build is over it asks htmx to reload the whole page."""

    template_name = "reports/partials/annual_report_progress.html"

    def get(self, request, *args, **kwargs):
        report = annual_report_get_for_user(user=request.user, pk=kwargs["pk"])
        can_build = scope_for(request.user).can(Capability.BUILD_REPORTS, report.unit)
        response = self.render_to_response({"report": report, "can_build": can_build})
        if not report.is_active and request.htmx:
            response["HX-Refresh"] = "true"
        return response


def annual_report_download(request, pk: int):
    """The workbook of a ready summary in the user's scope (404 otherwise)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    report = annual_report_get_for_user(user=request.user, pk=pk)
    if not report.is_ready:
        raise Http404
    return private_file_response(report.file, download_name=f"bao-cao-tong-ket-nam-{report.year}-{report.unit.public_code}")


class AnnualReportRetryView(LoginRequiredMixin, View):
    """POST: queue a failed or stuck summary again."""

    def post(self, request, pk: int):
        report = annual_report_get_for_user(user=request.user, pk=pk)
        try:
            annual_report_retry(actor=request.user, report=report)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.info(request, _("The report is being built again."))
        return redirect("reports:annual_report_detail", pk=report.pk)
