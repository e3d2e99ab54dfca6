"""Inspection pages: teams, the plan (list and month calendar), planning a visit, the visit with its mobile
checklist (htmx save per item), findings, the visit's workflow and its photos.

Every read goes through ``evaluations.inspections.selectors`` (``visits_visible_to``): a surprise visit not
yet started is a 404 for the inspected unit, like a missing one. Writes go through
``evaluations.inspections.services``; inside the scope without the right to act the answer is 403.
"""

from __future__ import annotations

import calendar
import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from core.dates import MONTH_INPUT_FORMAT, parse_month
from core.files import private_file_response
from core.forms import add_service_errors
from evaluations.choices import CheckResult, VisitKind, VisitStatus
from evaluations.inspections import selectors, services
from evaluations.inspections.forms import (
    FindingForm,
    ResultForm,
    TeamForm,
    VisitCloseForm,
    VisitPlanForm,
    VisitReopenForm,
)
from evaluations.models import ChecklistResult, InspectionVisit
from units.mixins import ScopeRequiredMixin
from units.models import Unit
from units.scope import Capability, scope_for


def _can_manage_anywhere(user) -> bool:
    return scope_for(user).can_anywhere(Capability.MANAGE_INSPECTIONS)


def _can_plan(user) -> bool:
    """District offices plan for their teams, team leaders for their own team."""
    return _can_manage_anywhere(user) or selectors.teams_managed_by(user).exists()


# --- Teams ------------------------------------------------------------------------------------------------


class TeamListView(LoginRequiredMixin, ListView):
    """Teams the user may see, with their members."""

    template_name = "evaluations/team_list.html"
    context_object_name = "teams"

    def get_queryset(self):
        return selectors.teams_visible_to(self.request.user).prefetch_related("members").order_by("owner_unit__path", "name")

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_manage=_can_manage_anywhere(self.request.user), **kwargs)


class TeamCreateView(ScopeRequiredMixin, FormView):
    """A new inspection team: for those who manage inspections somewhere (district office, city)."""

    template_name = "evaluations/team_form.html"
    form_class = TeamForm
    required_capability = Capability.MANAGE_INSPECTIONS

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            team = services.team_create(actor=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Team %(name)s created.") % {"name": team.name})
        return redirect("evaluations:team_list")


# --- The plan ---------------------------------------------------------------------------------------------


class _PlanFilterMixin:
    """Filters of the plan from the query string: unit (public code, 404 outside the scope), kind, status."""

    def plan_filters(self) -> dict:
        request = self.request
        code = request.GET.get("unit", "").strip()
        unit = Unit.objects.visible_to(request.user).filter(public_code=code).first() if code else None
        if code and unit is None:
            raise Http404
        kind = request.GET.get("kind", "")
        status = request.GET.get("status", "")
        return {
            "unit": unit,
            "kind": kind if kind in VisitKind.values else "",
            "status": status if status in VisitStatus.values else "",
        }

    def filter_context(self, filters: dict) -> dict:
        return {
            "selected_unit": filters["unit"],
            "selected_kind": filters["kind"],
            "selected_status": filters["status"],
            "kinds": VisitKind.choices,
            "statuses": VisitStatus.choices,
            "can_manage": _can_manage_anywhere(self.request.user),
            "can_plan": _can_plan(self.request.user),
        }


class VisitListView(LoginRequiredMixin, _PlanFilterMixin, ListView):
    """The plan as a list: visits the user may see, filtered by month, unit, kind and status."""

    template_name = "evaluations/visit_list.html"
    context_object_name = "visits"
    paginate_by = 50

    def get_queryset(self):
        self.filters = self.plan_filters()
        self.month = parse_month(self.request.GET.get("month"))
        return selectors.visit_plan_list(user=self.request.user, month=self.month, **self.filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            self.filter_context(self.filters),
            month=self.month.strftime(MONTH_INPUT_FORMAT) if self.month else "",
            this_month=timezone.localdate().replace(day=1),
        )
        return context


class VisitCalendarView(LoginRequiredMixin, _PlanFilterMixin, TemplateView):
    """The plan as a month grid: weeks × days (Monday first), each day with its visits."""

    template_name = "evaluations/visit_calendar.html"

    def get_context_data(self, month, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = self.plan_filters()
        visits = list(selectors.visit_plan_list(user=self.request.user, month=month, **filters))
        by_day: dict[datetime.date, list] = {}
        for visit in visits:
            by_day.setdefault(timezone.localtime(visit.scheduled_at).date(), []).append(visit)
        today = timezone.localdate()
        weeks = [
            [
                {"date": day, "in_month": day.month == month.month, "is_today": day == today, "visits": by_day.get(day, [])}
                for day in week
            ]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
        ]
        previous = (month - datetime.timedelta(days=1)).replace(day=1)
        following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        context.update(
            self.filter_context(filters),
            month=month,
            previous_month=previous,
            next_month=following,
            weeks=weeks,
            visit_count=len(visits),
            query=self.request.GET.urlencode(),
        )
        return context


class VisitCreateView(LoginRequiredMixin, FormView):
    """Plan a visit (district office or a team leader): a team, a unit of its district, when, what kind."""

    template_name = "evaluations/visit_form.html"
    form_class = VisitPlanForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        # Not a capability: a team leader plans their own team's visits. Without an active team to send, 403.
        if not selectors.teams_managed_by(request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "unit_id": self.request.GET.get("unit")}

    def form_valid(self, form):
        try:
            visit = services.visit_plan(actor=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Visit planned."))
        return redirect("evaluations:visit_detail", pk=visit.pk)


# --- The visit --------------------------------------------------------------------------------------------


def _result_context(result: ChecklistResult, *, editable: bool, form: ResultForm | None = None, state: str = "") -> dict:
    if editable and form is None:
        form = ResultForm(prefix=f"r{result.pk}", initial={"result": result.result, "note": result.note})
    return {"result": result, "form": form if editable else None, "editable": editable, "state": state}


class VisitDetailView(LoginRequiredMixin, TemplateView):
    """The visit: for the team a checklist to fill in on a phone; for everyone else who may see it, read only."""

    template_name = "evaluations/visit_detail.html"

    def get_context_data(self, pk, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        visit = selectors.visit_get_for_user(user=user, pk=pk)
        can_inspect = selectors.user_can_inspect(user=user, visit=visit)
        can_manage = services.can_manage_visit(user=user, visit=visit)
        editable = can_inspect and visit.status == VisitStatus.IN_PROGRESS
        results = selectors.visit_results(visit=visit)
        context.update(
            visit=visit,
            cards=[_result_context(r, editable=editable) for r in results],
            failed=[r for r in results if r.result == CheckResult.FAIL],
            findings=[f for r in results for f in r.findings.all()],
            editable=editable,
            can_start=visit.status == VisitStatus.PLANNED and (can_inspect or can_manage),
            can_close=visit.status == VisitStatus.IN_PROGRESS and (can_inspect or can_manage),
            can_reopen=visit.status == VisitStatus.CLOSED and (can_manage or visit.team.leader_id == user.pk),
            finding_form=FindingForm(visit=visit) if editable else None,
            close_form=VisitCloseForm(),
            reopen_form=VisitReopenForm(),
        )
        return context


class VisitTransitionView(LoginRequiredMixin, View):
    """Start, close (with a conclusion) or reopen (with a reason) a visit."""

    http_method_names = ["post"]

    def post(self, request, pk, action):
        visit = selectors.visit_get_for_user(user=request.user, pk=pk)
        try:
            if action == "start":
                services.visit_start(actor=request.user, visit=visit)
            elif action == "close":
                services.visit_close(actor=request.user, visit=visit, summary=request.POST.get("summary", ""))
            elif action == "reopen":
                services.visit_reopen(actor=request.user, visit=visit, reason=request.POST.get("reason", ""))
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(action)s: done.") % {"action": services.VISIT_ACTION_LABELS[action]()})
        return redirect("evaluations:visit_detail", pk=visit.pk)


def _inspected_item(request, pk: int, result_pk: int) -> tuple[InspectionVisit, ChecklistResult]:
    """The visit (404 outside the user's scope) and one of its checklist items, for a member of its team (403
    for anyone else)."""
    visit = selectors.visit_get_for_user(user=request.user, pk=pk)
    if not selectors.user_can_inspect(user=request.user, visit=visit):
        raise PermissionDenied
    return visit, get_object_or_404(ChecklistResult, pk=result_pk, visit=visit)


class ResultSaveView(LoginRequiredMixin, View):
    """Save one checklist item (htmx): answers the re-rendered card, with the error inline when refused."""

    http_method_names = ["post"]

    def post(self, request, pk, result_pk):
        visit, row = _inspected_item(request, pk, result_pk)
        form = ResultForm(request.POST, request.FILES, prefix=f"r{row.pk}")
        state = "error"
        if form.is_valid():
            try:
                services.result_record(
                    actor=request.user, visit=visit, item_id=row.item_id, result=form.cleaned_data["result"],
                    note=form.cleaned_data["note"], photos=request.FILES.getlist(f"r{row.pk}-photos"),
                )
                state = "saved"
            except ValidationError as error:
                # Photo errors belong next to the photo input, which is not a form field.
                if hasattr(error, "error_dict") and "photos" in error.error_dict:
                    form.photo_errors = ValidationError(error.error_dict.pop("photos")).messages
                    if error.error_dict:
                        add_service_errors(form, error)
                else:
                    add_service_errors(form, error)
        if not request.htmx:
            if state == "saved":
                messages.success(request, _("Saved."))
            else:
                problems = [str(e) for errors in form.errors.values() for e in errors] + getattr(form, "photo_errors", [])
                messages.error(request, " ".join(problems))
            return redirect(reverse("evaluations:visit_detail", kwargs={"pk": visit.pk}) + f"#item-{row.pk}")
        row = next(r for r in selectors.visit_results(visit=visit) if r.pk == row.pk)
        visit.refresh_from_db(fields=["status"])
        editable = visit.status == VisitStatus.IN_PROGRESS
        context = _result_context(row, editable=editable, form=form if state == "error" else None, state=state)
        context["visit"] = visit
        return render(request, "evaluations/partials/visit_result.html", context)


class FindingCreateView(LoginRequiredMixin, View):
    """Record a finding on a failed item; named staff get violations through the service."""

    http_method_names = ["post"]

    def post(self, request, pk, result_pk):
        visit, row = _inspected_item(request, pk, result_pk)
        form = FindingForm(request.POST, visit=visit)
        if form.is_valid():
            try:
                finding = services.finding_create(actor=request.user, visit=visit, result=row, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                count = finding.staff.count()
                messages.success(
                    request,
                    _("Finding recorded; violations recorded for %(count)s staff member(s).") % {"count": count}
                    if count else _("Finding recorded for the unit."),
                )
                return redirect(reverse("evaluations:visit_detail", kwargs={"pk": visit.pk}) + "#findings")
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(reverse("evaluations:visit_detail", kwargs={"pk": visit.pk}) + "#findings")


class PhotoView(LoginRequiredMixin, View):
    """A visit photo, only for those who may see the visit; never through MEDIA_URL."""

    http_method_names = ["get"]

    def get(self, request, pk):
        photo = selectors.photo_get_for_user(user=request.user, pk=pk)
        return private_file_response(photo.image)
