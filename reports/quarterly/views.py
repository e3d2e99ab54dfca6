"""Pages of the quarterly review: the reports in the user's scope with a request form, one report (its figures,
its progress while it runs, polled by htmx), the workbook download and the retry of a failed build.

Everything is read through ``quarterly_reports_visible_to``: a report of a unit outside the scope is a 404; a
unit in scope where the user may not build reports is a 403 on requesting."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from core.choices import JobStatus
from core.files import private_file_response
from core.forms import add_service_errors
from core.quarters import Quarter
from evaluations.choices import Grade, Severity
from feedback.choices import Channel, FeedbackKind
from reports.quarterly.selectors import (
    quarterly_report_get_for_user,
    quarterly_reports_visible_to,
    report_units_for_user,
)
from reports.quarterly.services import quarterly_report_request, quarterly_report_retry
from units.choices import Structure
from units.models import Unit
from units.scope import Capability, scope_for

GRADE_COLOURS = {"A": "#198754", "B": "#0d6efd", "C": "#ffc107", "D": "#dc3545"}
QUARTERS_OFFERED = 8


def quarter_choices(today: datetime.date | None = None) -> list[tuple[str, str]]:
    """The current quarter and the seven before it (a quarter not started yet is never offered)."""
    quarter, choices = Quarter.of(today or timezone.localdate()), []
    for _i in range(QUARTERS_OFFERED):
        choices.append((quarter.slug, str(quarter)))
        quarter = quarter.previous()
    return choices


class ReportRequestForm(forms.Form):
    """Which unit and quarter; the unit is looked up in the user's scope by the view (404 outside it)."""

    unit = forms.CharField(label=gettext_lazy("Unit"), widget=forms.Select)
    quarter = forms.CharField(label=gettext_lazy("Quarter"), widget=forms.Select)
    rebuild = forms.BooleanField(label=gettext_lazy("Build again if it exists"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.choices = [
            (unit.public_code, unit.name if unit.structure != Structure.LEGACY else f"{unit.name} ({_('before 1 July 2025')})")
            for unit in units
        ]
        self.fields["quarter"].widget.choices = quarter_choices()
        self.fields["quarter"].initial = Quarter.last_finished().slug

    def clean_quarter(self) -> Quarter:
        quarter = Quarter.from_slug(self.cleaned_data["quarter"])
        if quarter is None:
            raise ValidationError(_("Choose a quarter."), code="invalid")
        return quarter


class ReportListView(LoginRequiredMixin, TemplateView):
    """Reports of the units in the user's scope, and the form to request one where the user may build."""

    template_name = "reports/report_list.html"

    def get_context_data(self, form=None, **kwargs):
        user = self.request.user
        can_build = scope_for(user).can_anywhere(Capability.BUILD_REPORTS)
        if form is None and can_build:
            form = ReportRequestForm(units=report_units_for_user(user))
        return super().get_context_data(reports=quarterly_reports_visible_to(user)[:200], form=form, **kwargs)


class ReportRequestView(LoginRequiredMixin, View):
    """POST: request (or rebuild) a unit's report for a quarter, then show it."""

    def post(self, request):
        form = ReportRequestForm(request.POST, units=report_units_for_user(request.user))
        if form.is_valid():
            unit = get_object_or_404(Unit.objects.visible_to(request.user), public_code=form.cleaned_data["unit"])
            try:
                report = quarterly_report_request(
                    actor=request.user, unit=unit, quarter=form.cleaned_data["quarter"],
                    rebuild=form.cleaned_data["rebuild"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if report.is_active:
                    messages.info(request, _("The report is being built; this page follows its progress."))
                return redirect("reports:report_detail", pk=report.pk)
        view = ReportListView(request=request, args=(), kwargs={})
        return view.render_to_response(view.get_context_data(form=form), status=400)


def _segments(shares: list[float | None], grades: list[str]) -> list[dict]:
    """Where each grade's part of a 100-unit wide stacked bar starts and how wide it is (an SVG drawn on the server)."""
    x, parts = 0.0, []
    for grade, value in zip(grades, shares, strict=True):
        if value:
            parts.append({"grade": grade, "x": round(x, 2), "width": round(value, 2), "colour": GRADE_COLOURS.get(grade, "#6c757d"),
                          "share": value})
            x += value
    return parts


def report_display(data: dict) -> dict:
    """The stored figures shaped for the template: labels in the page's language, months as dates, blocks
    zipped with their months, stacked bars for the grade distribution."""
    if not data:
        return {}
    months = [datetime.date.fromisoformat(m) for m in data["ratings"]["months"]]
    grades = data["ratings"]["grades"]
    grade_labels = dict(Grade.choices)
    ratings_rows = [
        {**row, "months": list(zip(months, row["months"], strict=True)),
         "segments": _segments(row["quarter"]["shares"], grades)}
        for row in data["ratings"]["rows"]
    ]
    feedback = data["feedback"]
    kinds, channels = dict(FeedbackKind.choices), dict(Channel.choices)
    return {
        "quarter": Quarter(data["quarter"]["year"], data["quarter"]["number"]),
        "generated_on": datetime.date.fromisoformat(data["generated_on"]),
        "coverage": data["coverage"],
        "grades": [(g, grade_labels.get(g, g), GRADE_COLOURS.get(g)) for g in grades],
        "ratings_rows": ratings_rows,
        "ratings_totals": list(zip(months, data["ratings"]["month_totals"], strict=True)),
        "ratings_total": data["ratings"]["total"],
        "ratings_segments": _segments(data["ratings"]["total"]["shares"], grades),
        "severities": [dict(Severity.choices).get(s, s) for s in data["violations"]["severities"]],
        "violations": data["violations"],
        "inspections": data["inspections"],
        "inspections_as_of": datetime.date.fromisoformat(data["inspections"]["as_of"]),
        "kinds": [kinds.get(k, k) for k in feedback["kinds"]],
        "channels": list(zip([channels.get(c, c) for c in feedback["channels"]], feedback["channel_counts"], strict=True)),
        "feedback": feedback,
        "feedback_months": [{**m, "month": datetime.date.fromisoformat(m["month"])} for m in feedback["months"]],
        "commendations": data["commendations"],
    }


class ReportDetailView(LoginRequiredMixin, TemplateView):
    """One report: its status and progress (polled every 2 s while it runs; a Retry button when it is stuck),
    the reason of a failure with a Retry button, the figures of every section and the download button once
    ready."""

    template_name = "reports/report_detail.html"

    def get_context_data(self, **kwargs):
        report = quarterly_report_get_for_user(user=self.request.user, pk=kwargs["pk"])
        can_build = scope_for(self.request.user).can(Capability.BUILD_REPORTS, report.unit)
        return super().get_context_data(
            report=report, figures=report_display(report.data) if report.status == JobStatus.SUCCESS else {},
            can_build=can_build, **kwargs,
        )


class ReportProgressView(LoginRequiredMixin, TemplateView):
    """The progress fragment; once the build is over it asks htmx to reload the whole page."""

    template_name = "reports/partials/report_progress.html"

    def get(self, request, *args, **kwargs):
        report = quarterly_report_get_for_user(user=request.user, pk=kwargs["pk"])
        can_build = scope_for(request.user).can(Capability.BUILD_REPORTS, report.unit)
        response = self.render_to_response({"report": report, "can_build": can_build})
        if not report.is_active and request.htmx:
            response["HX-Refresh"] = "true"
        return response


def report_download(request, pk: int):
    """The workbook of a ready report in the user's scope (404 otherwise)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    report = quarterly_report_get_for_user(user=request.user, pk=pk)
    if not report.is_ready:
        raise Http404
    return private_file_response(
        report.file, download_name=f"bao-cao-so-ket-quy-{report.quarter}-{report.year}-{report.unit.public_code}"
    )


class ReportRetryView(LoginRequiredMixin, View):
    """POST: queue a failed or stuck report again."""

    def post(self, request, pk: int):
        report = quarterly_report_get_for_user(user=request.user, pk=pk)
        try:
            quarterly_report_retry(actor=request.user, report=report)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.info(request, _("The report is being built again."))
        return redirect("reports:report_detail", pk=report.pk)
