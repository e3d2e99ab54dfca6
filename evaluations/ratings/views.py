"""The rating sheet (of a month, or of a quarter under a quarterly scheme): the list of sheets, opening a period,
the sheet with autosave per row, the workflow, exceptional units, self-assessment, and the rating parts of the
landing and staff pages.

Every write goes through ``evaluations.ratings.services`` (audited with simple-history). Sheets and rows come from
the user's scope: outside it the answer is 404, inside it without the right to act, 403.
"""

from __future__ import annotations

from dataclasses import dataclass
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.functional import cached_property
from django.utils.translation import gettext as _, ngettext
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from core.dates import MONTH_INPUT_FORMAT, parse_month
from core.xlsx import XLSX_CONTENT_TYPE
from evaluations.choices import SheetStatus
from evaluations.models import Rating
from evaluations.ratings import periods, scoring, selectors, services
from evaluations.ratings.forms import (
    CapExceptionForm,
    RatingRowForm,
    SelfAssessmentForm,
    SheetOpenForm,
    SheetTransitionForm,
    SheetUploadForm,
    points_text,
)
from evaluations.ratings.selectors import (
    APPROVED_STATUSES,
    UnitMonth,
    _load_row,
    cap_exception_for,
    rateable_units,
    rating_own_get_for_user,
    rating_row_get_for_user,
    rating_sheet_get_for_user,
    sheet_progress,
    sheets_by_unit_and_month,
    sheets_covering,
    this_and_last_month,
    unit_raters,
    units_rated_by_others,
    ward_statuses,
    with_grade_counts,
)
from evaluations.ratings.sheet_export import sheet_filename, sheet_workbook
from evaluations.ratings.sheet_import import max_upload_bytes, sheet_import
from evaluations.ratings.sheet_rows import SheetRowWriter
from units.mixins import ScopeRequiredMixin
from units.scope import Capability, require, scope_for
from units.selectors import unit_get_for_user
from units.validity import unit_is_open

# --- Pages ------------------------------------------------------------------------------------------------


class SheetListView(LoginRequiredMixin, ListView):
    """Units the user rates with this and last month's sheet, wards' status for a district office, and every
    sheet in scope (filterable by month) with its grade counts."""

    template_name = "evaluations/sheet_list.html"
    context_object_name = "sheets"
    paginate_by = 50

    def get_queryset(self):
        self.month = parse_month(self.request.GET.get("month"))
        sheets = selectors.rating_sheet_list(user=self.request.user)
        if self.month is not None:
            sheets = sheets_covering(sheets, self.month)
        return with_grade_counts(sheets)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        this, last = this_and_last_month()
        units = rateable_units(user=user)
        sheets = sheets_by_unit_and_month(units=units, months=[this, last]) if units else {}
        context.update(
            this_month=this,
            last_month=last,
            month=self.month,
            month_value=self.month.strftime(MONTH_INPUT_FORMAT) if self.month else "",
            rateable=[
                (unit, UnitMonth(unit, this, sheets.get((unit.pk, this))), UnitMonth(unit, last, sheets.get((unit.pk, last))))
                for unit in units
            ],
            wards=ward_statuses(user=user, month=self.month or last),
            rated_elsewhere=units_rated_by_others(user=user),
        )
        return context


def _open_sheet(request, *, public_code: str, month: datetime.date):
    """Open (creating on first use) the unit's sheet covering a month — the month's, or its quarter's under a
    quarterly scheme — and go to it; refusals come back as messages."""
    unit = unit_get_for_user(user=request.user, public_code=public_code)
    try:
        sheet = services.rating_sheet_open(actor=request.user, unit=unit, month=month)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("evaluations:sheet_list")
    return redirect("evaluations:sheet_detail", pk=sheet.pk)


class SheetOpenView(LoginRequiredMixin, View):
    """POST a unit's public code and a month ("YYYY-MM"): its sheet is opened and shown."""

    http_method_names = ["post"]

    def post(self, request):
        form = SheetOpenForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect("evaluations:sheet_list")
        return _open_sheet(request, public_code=form.cleaned_data["unit"], month=form.cleaned_data["month"])


class SheetForMonthView(LoginRequiredMixin, TemplateView):
    """``/ratings/<unit>/<YYYY-MM>/``: the unit's sheet covering that month (a month of a quarter leads to the
    quarter's sheet). A GET never writes: a sheet not created yet is an empty state with a POST button ("Create this
    month's sheet") for those who may rate the unit, and for the others the names of those who rate it."""

    template_name = "evaluations/sheet_for_month.html"

    def get(self, request, *args, **kwargs):
        self.unit = unit_get_for_user(user=request.user, public_code=kwargs["public_code"])
        self.sheet = services.sheet_covering(unit=self.unit, month=kwargs["month"])
        if self.sheet is not None:
            return redirect("evaluations:sheet_detail", pk=self.sheet.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = kwargs["month"].replace(day=1)
        try:
            scheme = services.scheme_for(unit=self.unit, month=month)
        except ValidationError as error:
            scheme, refusal = None, " ".join(error.messages)
        else:
            refusal = ""
        quarterly = scheme is not None and scheme.is_quarterly
        start = periods.period_start(month, quarterly=quarterly)
        end = periods.period_end(start, quarterly=quarterly)
        can_rate = scope_for(self.request.user).can(Capability.RATE, self.unit)
        if not refusal and start > this_and_last_month()[0]:
            refusal = (_("A quarter cannot be rated before it starts.") if quarterly
                       else _("A month cannot be rated before it starts."))
        elif not refusal and not unit_is_open(self.unit, start, until=end):
            refusal = _("%(unit)s did not exist in %(period)s: there is no sheet to create.") % {
                "unit": self.unit.name, "period": periods.period_label(start, quarterly=quarterly)}
        context.update(
            unit=self.unit, month=start, quarterly=quarterly, scheme=scheme,
            period_label=periods.period_label(start, quarterly=quarterly),
            can_create=can_rate and not refusal, can_rate=can_rate, refusal=refusal,
            raters=[] if can_rate else unit_raters(unit=self.unit),
        )
        return context


@dataclass
class Cell:
    """One points input of a row as the sheet writes it (no bound form per row: a 174-person sheet renders fast)."""

    group: object
    name: str
    id: str
    value: str
    label: str
    errors: list[str]


def _cell_labels(groups) -> list[str]:
    """Each group's part of its inputs' accessible names, translated once per page: "Kết quả … (0 đến 70)"."""
    return [
        _("%(group)s (0 to %(max)s)") % {"group": group.name, "max": points_text(group.max_points)} for group in groups
    ]


def _decorate_row(row: Rating, *, groups, editable: bool, form: RatingRowForm | None = None, labels=None) -> Rating:
    """Attach what the row partial shows besides the model: its inputs (when editable; after a refused save, what was
    typed, with the errors), the remark rule and the best grade the period's violations allow (``cap_grade``, for
    the live counts)."""
    labels = labels or _cell_labels(groups)
    row.remark_required = scoring.needs_remark(row.grade)
    row.remark_missing = row.remark_required and not row.remark
    row.grade_capped = row.grade != row.grade_by_points
    severities = [violation.severity for violation in getattr(row.staff, "month_violations", [])]
    row.cap_grade = scoring.worst(*(row.sheet.scheme.cap_for(s) for s in severities)) if severities else ""
    row.editable = editable
    if not editable:
        row.cells = []
        return row
    prefix = f"r{row.pk}"
    cells = []
    for group, label in zip(groups, labels, strict=True):
        name = f"{prefix}-p_{group.code}"
        if form is not None:
            bound = form[f"p_{group.code}"]
            value, errors = bound.value() or "", list(bound.errors)
        else:
            value, errors = points_text(row.points.get(group.code, group.default_points)), []
        cells.append(Cell(group=group, name=name, id=f"id_{name}", value=value,
                          label=f"{label} — {row.staff.full_name}", errors=errors))
    row.cells = cells
    row.remark_value = form["remark"].value() or "" if form is not None else row.remark
    row.remark_errors = list(form["remark"].errors) if form is not None else []
    row.version_value = form["version"].value() if form is not None else row.version
    return row


class SheetDetailView(LoginRequiredMixin, TemplateView):
    """The period's sheet: one row per staff member, inputs per criterion group saved row by row (htmx); grade A
    against its cap, and for the level above, the form that marks the unit exceptional for the period."""

    template_name = "evaluations/sheet_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        sheet = selectors.rating_sheet_get_for_user(user=user, pk=kwargs["pk"])
        scope = scope_for(user)
        groups = list(sheet.scheme.groups.prefetch_related("criteria"))
        can_rate = scope.can(Capability.RATE, sheet.unit)
        editable = sheet.is_editable and can_rate
        labels = _cell_labels(groups)
        rows = [_decorate_row(row, groups=groups, editable=editable, labels=labels)
                for row in selectors.rating_sheet_rows(sheet=sheet)]
        exception = cap_exception_for(sheet)
        can_record_violations = scope.can(Capability.RECORD_VIOLATIONS, sheet.unit)
        progress = sheet_progress(sheet=sheet, rows=rows, exception=exception)
        writer = SheetRowWriter(groups=groups, grade_labels=progress["grade_labels"],
                                can_record_violations=can_record_violations)
        context.update(
            sheet=sheet,
            groups=groups,
            rows=rows,
            rows_html=writer.rows(rows),
            editable=editable,
            can_rate=can_rate,
            can_record_violations=can_record_violations,
            actions=[(action, services.ACTION_LABELS[action]()) for action in services.allowed_actions(user=user, sheet=sheet)],
            reason_actions=[t.action for t in services.SHEET_WORKFLOW.transitions.values() if t.needs_reason],
            can_decide_exception=sheet.is_editable and services.can_decide_cap_exception(user=user, unit=sheet.unit),
            raters=[] if can_rate else unit_raters(unit=sheet.unit),
            **progress,
        )
        return context


class RatingRowSaveView(LoginRequiredMixin, View):
    """The autosave of one row: saved through ``services.rating_save``; answers the re-rendered row and, out
    of band, the sheet's counts. Bad points, a missing remark or a stale version come back inline."""

    http_method_names = ["post"]

    def post(self, request, pk):
        rating = rating_row_get_for_user(user=request.user, pk=pk)
        sheet = rating.sheet
        require(request.user, Capability.RATE, sheet.unit)
        groups = list(sheet.scheme.groups.all())
        form = RatingRowForm(request.POST, groups=groups, rating=rating)
        state, message = "error", ""
        if form.is_valid():
            try:
                services.rating_save(
                    actor=request.user,
                    rating=rating,
                    points=form.raw_points(),
                    remark=form.cleaned_data["remark"],
                    expected_version=form.cleaned_data["version"],
                    groups=groups,
                )
                state = "saved"
            except services.StaleRating as error:
                state, message = "conflict", " ".join(error.messages)
            except ValidationError as error:
                form.add_service_errors(error)
        if state == "error":
            message = " ".join([*form.non_field_errors(), *form["version"].errors])
        if not request.htmx:
            return self._plain_answer(request, sheet, state, form, message)
        row = _load_row(rating.pk)
        editable = row.sheet.is_editable
        # After a save or a conflict the row shows what is stored now (with its new version); after an error,
        # what was typed, so it can be corrected.
        _decorate_row(row, groups=groups, editable=editable, form=form if state == "error" else None)
        row.state, row.message = state, message
        if state == "conflict":
            row.unsaved = [(field.label, field.data) for field in form.point_fields] + [
                (_("Remark"), form["remark"].data)
            ]
        ratings = list(Rating.objects.filter(sheet=row.sheet).only("grade", "remark"))
        context = {
            "row": row,
            "groups": groups,
            "sheet": row.sheet,
            "editable": editable,
            "can_record_violations": scope_for(request.user).can(Capability.RECORD_VIOLATIONS, row.sheet.unit),
            "oob": True,
            **sheet_progress(sheet=row.sheet, rows=ratings, exception=cap_exception_for(row.sheet)),
        }
        # Rendered without the request: the fragments need none of the page's context processors (navigation,
        # banners), and this answer comes back for every field an officer leaves.
        html = render_to_string("evaluations/partials/sheet_row.html", context)
        html += render_to_string("evaluations/partials/sheet_summary.html", context)
        return HttpResponse(html)

    @staticmethod
    def _plain_answer(request, sheet, state, form, message):
        """Without htmx (scripts blocked), say what happened and show the sheet again."""
        if state == "saved":
            messages.success(request, _("Saved."))
        else:
            messages.error(request, message or " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("evaluations:sheet_detail", pk=sheet.pk)


class SheetTransitionView(LoginRequiredMixin, View):
    """A workflow step (submit, return, approve, lock, reopen) through ``services.rating_sheet_transition``."""

    http_method_names = ["post"]

    def post(self, request, pk):
        sheet = selectors.rating_sheet_get_for_user(user=request.user, pk=pk)
        form = SheetTransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Unknown action."))
            return redirect("evaluations:sheet_detail", pk=sheet.pk)
        action = form.cleaned_data["action"]
        try:
            sheet = services.rating_sheet_transition(
                actor=request.user, sheet=sheet, action=action, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(action)s: done. The sheet is now %(status)s.")
                % {"action": services.ACTION_LABELS[action](), "status": sheet.get_status_display().lower()},
            )
        return redirect("evaluations:sheet_detail", pk=sheet.pk)


class SheetCapExceptionView(LoginRequiredMixin, View):
    """The level above marks the sheet's unit exceptional for the sheet's period, or withdraws it, with a reason
    (``services.cap_exception_decide`` / ``cap_exception_revoke``): 404 outside the user's scope, 403 for anyone
    but the level above."""

    http_method_names = ["post"]

    def post(self, request, pk):
        sheet = selectors.rating_sheet_get_for_user(user=request.user, pk=pk)
        if not services.can_decide_cap_exception(user=request.user, unit=sheet.unit):
            raise PermissionDenied
        form = CapExceptionForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect("evaluations:sheet_detail", pk=sheet.pk)
        reason = form.cleaned_data["reason"]
        try:
            if form.cleaned_data["action"] == CapExceptionForm.DECIDE:
                services.cap_exception_decide(actor=request.user, unit=sheet.unit, month=sheet.month, reason=reason)
                done = _("%(unit)s is an exceptional unit for %(period)s: grade A may reach %(cap)s%%.") % {
                    "unit": sheet.unit.name, "period": sheet.period_label, "cap": sheet.scheme.exceptional_cap_percent
                }
            else:
                exception = cap_exception_for(sheet)
                if exception is None:
                    raise ValidationError(_("%(unit)s is not an exceptional unit for %(period)s.")
                                          % {"unit": sheet.unit.name, "period": sheet.period_label})
                services.cap_exception_revoke(actor=request.user, exception=exception, reason=reason)
                done = _("The exception was withdrawn: the cap of %(cap)s%% applies again.") % {
                    "cap": sheet.scheme.a_share_cap_percent
                }
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
        return redirect("evaluations:sheet_detail", pk=sheet.pk)


class RatingSelfAssessView(ScopeRequiredMixin, FormView):
    """A staff member proposes their own points for the month while the sheet is a draft. Only the staff
    member's own row is reachable (anyone else's is a 404, whatever their scope); no capability is needed."""

    template_name = "evaluations/sheet_self_assess.html"
    form_class = SelfAssessmentForm
    scoped_object_name = "rating"

    def get_scoped_object(self):
        return rating_own_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @cached_property
    def groups(self):
        return list(self.rating.sheet.scheme.groups.all())

    @property
    def is_open(self) -> bool:
        return self.rating.sheet.status == SheetStatus.DRAFT

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "groups": self.groups, "rating": self.rating}

    def form_valid(self, form):
        try:
            services.rating_self_assess(
                actor=self.request.user, rating=self.rating, points=form.raw_points(), remark=form.cleaned_data["remark"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your self-assessment was saved. Your officer sees it beside your row."))
        return redirect("evaluations:my_ratings")

    def get_context_data(self, **kwargs):
        return super().get_context_data(rating=self.rating, is_open=self.is_open, **kwargs)


class MyRatingsView(LoginRequiredMixin, TemplateView):
    """The logged-in staff member's own rows of the last two years, with a link to assess themselves."""

    template_name = "evaluations/sheet_mine.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        staff_id = self.request.user.staff_member_id
        ratings = (
            Rating.objects.filter(staff_id=staff_id).select_related("sheet__unit", "sheet__scheme").order_by("-sheet__month")[:24]
            if staff_id
            else []
        )
        context.update(ratings=ratings, final_statuses=APPROVED_STATUSES, draft=SheetStatus.DRAFT)
        return context


@login_required
def sheet_xlsx_download(request, pk: int):
    """The sheet as an .xlsx prefilled with the staff and their current points, for anyone who may see it."""
    sheet = rating_sheet_get_for_user(user=request.user, pk=pk)
    response = HttpResponse(sheet_workbook(sheet), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{sheet_filename(sheet)}"'
    return response


class SheetUploadView(ScopeRequiredMixin, FormView):
    """Upload a filled-in sheet: every changed row is saved, or none is and each problem is listed by row.
    Only for those who may rate the sheet's unit."""

    template_name = "evaluations/excel_upload.html"
    form_class = SheetUploadForm
    required_capability = Capability.RATE
    scoped_object_name = "sheet"

    def get_scoped_object(self):
        return rating_sheet_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def form_valid(self, form):
        result = sheet_import(actor=self.request.user, sheet=self.sheet, upload=form.cleaned_data["file"])
        if not result.ok:
            return self.render_to_response(self.get_context_data(form=form, result=result))
        if result.updated:
            message = ngettext("%(count)s row updated.", "%(count)s rows updated.", result.updated)
            messages.success(self.request, message % {"count": result.updated})
        else:
            message = _("Nothing changed: the file holds the points and remarks already on the sheet.")
            messages.info(self.request, message)
        return redirect("evaluations:sheet_detail", pk=self.sheet.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(sheet=self.sheet, max_megabytes=max_upload_bytes() // 2**20, **kwargs)
