"""Pages of the annual classification: the lists in the user's scope, a unit's list for a year (compute, the
workflow), one person's year (self-assessment, the head's review), and the printable evaluation form and list.

Units, lists and rows come through the scope: outside it the answer is 404; inside it, a step the user may not
take is 403. Every write goes through ``evaluations.annual.services``; GET never writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic.base import TemplateResponseMixin

from core.forms import add_service_errors
from evaluations.annual import rules, selectors, services
from evaluations.annual.forms import AnnualOpenForm, ReviewForm, SelfAssessForm, TransitionForm
from evaluations.choices import DisciplineForm, Grade
from units.mixins import ScopeRequiredMixin
from units.models import Unit
from units.scope import Capability, scope_for
from units.selectors import unit_get_for_user


def _trigger_labels(row) -> list[str]:
    return [str(rules.TRIGGER_LABELS[code]) for code in row.triggers if code in rules.TRIGGER_LABELS]


def _vietnamese_labels() -> dict:
    """The grade and discipline names as the printed forms show them: in Vietnamese whatever the page's language,
    since they are administrative documents signed on paper."""
    with translation.override("vi"):
        return {
            "grades": {value: str(label).split("— ", 1)[-1] for value, label in Grade.choices},
            "forms": {value: str(label) for value, label in DisciplineForm.choices},
            "triggers": {code: str(label) for code, label in rules.TRIGGER_LABELS.items()},
        }


class AnnualIndexView(LoginRequiredMixin, TemplateResponseMixin, View):
    """The year lists in the user's scope, a form to go to a unit's list for a year, and the user's own years."""

    template_name = "evaluations/annual_index.html"

    def get(self, request):
        user = request.user
        units = Unit.objects.visible_to(user).filter(staff__isnull=False).distinct().order_by("path")
        form = AnnualOpenForm(request.GET if "unit" in request.GET else None, units=units)
        if form.is_bound and form.is_valid():
            return redirect("evaluations:annual_list", public_code=form.cleaned_data["unit"], year=form.cleaned_data["year"])
        year = request.GET.get("in", "")
        return self.render_to_response({
            "form": form,
            "lists": selectors.annual_lists_for_user(user=user, year=int(year) if year.isdigit() else None)[:200],
            "own_rows": selectors.own_annual_rows(user=user),
        })


class _UnitYearMixin(ScopeRequiredMixin):
    """A unit (404 outside the scope) and a year (404 outside 2000 … this year)."""

    scoped_object_name = "unit"

    def get_scoped_object(self):
        if not selectors.year_is_valid(self.kwargs["year"]):
            raise Http404
        return unit_get_for_user(user=self.request.user, public_code=self.kwargs["public_code"])

    @property
    def year(self) -> int:
        return self.kwargs["year"]

    def _back(self):
        return redirect("evaluations:annual_list", public_code=self.unit.public_code, year=self.year)


class AnnualListView(_UnitYearMixin, TemplateResponseMixin, View):
    """A unit's list for a year: every row (periods, computed, proposed, reviewed and final grade), the counts
    against the cap, the workflow's buttons, and a button to compute or recompute while the list is open."""

    template_name = "evaluations/annual_list.html"

    def get(self, request, **kwargs):
        annual_list = selectors.annual_list_for(unit=self.unit, year=self.year)
        can_compute = self.scope.can(Capability.RATE, self.unit)
        context = {"unit": self.unit, "year": self.year, "annual_list": annual_list, "can_compute": can_compute}
        if annual_list is not None:
            rows = selectors.annual_rows(annual_list=annual_list)
            for row in rows:
                row.trigger_labels = _trigger_labels(row)
            actions = services.allowed_actions(user=request.user, annual_list=annual_list)
            context.update(
                rows=rows,
                summary=selectors.cap_summary(annual_list=annual_list, rows=rows),
                actions=[(action, services.ACTION_LABELS[action]()) for action in actions],
                reason_actions=[t.action for t in services.ANNUAL_WORKFLOW.transitions.values() if t.needs_reason],
                can_compute=can_compute and annual_list.is_open,
                history=selectors.annual_history(annual_list=annual_list),
                grade_labels=dict(Grade.choices),
            )
        return self.render_to_response(context)


class AnnualComputeView(_UnitYearMixin, View):
    """Compute or recompute the unit's list for the year (the service asks ``RATE`` on the unit: 403), then show it."""

    http_method_names = ["post"]

    def post(self, request, **kwargs):
        try:
            result = services.annual_list_compute(actor=request.user, unit=self.unit, year=self.year)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self._back()
        messages.success(request, _("The list was computed: %(added)s added, %(changed)s changed, %(removed)s removed.")
                         % {"added": result.added, "changed": result.changed, "removed": result.removed})
        if result.kept_elsewhere:
            messages.warning(request, _("Left on the list of their former unit, already submitted or approved: %(names)s.")
                             % {"names": ", ".join(result.kept_elsewhere)})
        return self._back()


class AnnualTransitionView(_UnitYearMixin, View):
    """A step of the list's workflow (submit, return, approve, reopen); refusals come back as a message."""

    http_method_names = ["post"]

    def post(self, request, **kwargs):
        annual_list = selectors.annual_list_for(unit=self.unit, year=self.year)
        if annual_list is None:
            raise Http404
        form = TransitionForm(request.POST)
        if not form.is_valid() or form.cleaned_data["action"] not in services.ANNUAL_WORKFLOW:
            messages.error(request, _("Unknown action."))
            return self._back()
        action = form.cleaned_data["action"]
        try:
            services.annual_list_transition(actor=request.user, annual_list=annual_list, action=action,
                                            reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": services.ACTION_LABELS[action]()})
        return self._back()


class AnnualRowView(LoginRequiredMixin, TemplateResponseMixin, View):
    """One person's year: the periods, violations and sanctions, what the rule says, the self-assessment (the
    person, or an officer who rates the unit) and the head's review (``APPROVE_SHEETS``) while the list is open."""

    template_name = "evaluations/annual_row.html"
    ACTIONS = ("self", "review")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.row = selectors.annual_row_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def _scope(self):
        return scope_for(self.request.user)

    @property
    def may_self_assess(self) -> bool:
        """The person, or an officer who rates the unit (recording the paper form)."""
        return self.request.user.staff_member_id == self.row.staff_id or self._scope.can(
            Capability.RATE, self.row.annual_list.unit
        )

    @property
    def can_self_assess(self) -> bool:
        return self.row.annual_list.is_open and self.may_self_assess

    @property
    def can_review(self) -> bool:
        return self.row.annual_list.is_open and self._scope.can(Capability.APPROVE_SHEETS, self.row.annual_list.unit)

    def _render(self, *, self_form=None, review_form=None, status=200):
        row = self.row
        row.trigger_labels = _trigger_labels(row)
        context = {
            "row": row,
            "annual_list": row.annual_list,
            "periods": selectors.period_rows(row=row),
            "violations": selectors.row_year_violations(row=row),
            "sanctions": selectors.row_year_sanctions(row=row),
            "self_form": self_form or (SelfAssessForm(initial={"self_grade": row.self_grade or row.computed_grade,
                                                               "self_comment": row.self_comment})
                                       if self.can_self_assess else None),
            "review_form": review_form or (ReviewForm(initial={"reviewed_grade": row.reviewed_grade,
                                                               "review_comment": row.review_comment})
                                           if self.can_review else None),
            "history": selectors.annual_row_history(row=row),
            "in_scope": self._scope.covers(row.annual_list.unit),
        }
        return self.render_to_response(context, status=status)

    def get(self, request, pk):
        return self._render()

    def post(self, request, pk):
        action = request.POST.get("action", "")
        if action not in self.ACTIONS:
            return self._render(status=400)
        if action == "self":
            if not self.may_self_assess:
                raise PermissionDenied
            form = SelfAssessForm(request.POST)
            service, fields, key = services.annual_self_assess, ("self_grade", "self_comment"), "self_form"
        else:
            if not self._scope.can(Capability.APPROVE_SHEETS, self.row.annual_list.unit):
                raise PermissionDenied
            form = ReviewForm(request.POST)
            service, fields, key = services.annual_review, ("reviewed_grade", "review_comment"), "review_form"
        if not form.is_valid():
            return self._render(**{key: form}, status=400)
        try:
            service(actor=request.user, row=self.row, grade=form.cleaned_data[fields[0]], comment=form.cleaned_data[fields[1]])
        except ValidationError as error:
            add_service_errors(form, error)
            return self._render(**{key: form}, status=400)
        messages.success(request, _("Saved."))
        return redirect("evaluations:annual_row", pk=self.row.pk)


class AnnualRowPrintView(LoginRequiredMixin, TemplateResponseMixin, View):
    """The evaluation form of one person for the year (phiếu đánh giá, xếp loại chất lượng), for A4 paper."""

    template_name = "evaluations/annual_row_print.html"

    def get(self, request, pk):
        row = selectors.annual_row_get_for_user(user=request.user, pk=pk)
        labels = _vietnamese_labels()
        return self.render_to_response({
            "row": row,
            "annual_list": row.annual_list,
            "periods": selectors.period_rows(row=row),
            "violations": selectors.row_year_violations(row=row),
            "sanctions": selectors.row_year_sanctions(row=row),
            "vi": labels,
            "triggers": [labels["triggers"][code] for code in row.triggers if code in labels["triggers"]],
            "today": timezone.localdate(),
        })


class AnnualListPrintView(_UnitYearMixin, TemplateResponseMixin, View):
    """The unit's list for the year, for A4 paper (landscape): each person's periods, computed and final grade."""

    template_name = "evaluations/annual_list_print.html"

    def get(self, request, **kwargs):
        annual_list = selectors.annual_list_for(unit=self.unit, year=self.year)
        if annual_list is None:
            raise Http404
        rows = selectors.annual_rows(annual_list=annual_list)
        labels = _vietnamese_labels()
        return self.render_to_response({
            "annual_list": annual_list,
            "rows": rows,
            "summary": selectors.cap_summary(annual_list=annual_list, rows=rows),
            "vi": labels,
            "today": timezone.localdate(),
        })
