"""Violations of the code: record one (it caps that month's grade), list those in the user's scope, and a
violation's page with its disciplinary handling (decision, status, follow-up)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView
from django.views.generic.base import TemplateResponseMixin

from core.dates import month_start, parse_month
from core.forms import add_service_errors
from evaluations.discipline import services as discipline_services
from evaluations.discipline.forms import DecideForm, FollowUpForm, ProposeForm, ReasonForm
from evaluations.discipline.selectors import discipline_history, discipline_of, violation_get_for_user
from evaluations.models import Rating, Violation
from evaluations.ratings.services import scheme_for
from evaluations.violations.forms import ViolationForm
from evaluations.violations.selectors import violation_list
from evaluations.violations.services import violation_record
from units.mixins import ScopeRequiredMixin
from units.models import Unit
from units.scope import Capability, scope_for
from units.selectors import staff_get_for_user


class ViolationListView(LoginRequiredMixin, ListView):
    """Violations in the user's scope, filterable by unit (404 outside the scope) and month."""

    template_name = "evaluations/violation_list.html"
    context_object_name = "violations"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        code = self.request.GET.get("unit", "").strip()
        self.unit = Unit.objects.visible_to(user).filter(public_code=code).first() if code else None
        if code and self.unit is None:
            raise Http404
        self.month = parse_month(self.request.GET.get("month"))
        return violation_list(user=user, unit=self.unit, month=self.month)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scope = scope_for(user)
        in_scope = Violation.objects.visible_to(user)
        # The units worth filtering by: the user's own and those with violations (a city has hundreds of units).
        units = Unit.objects.visible_to(user).filter(
            Q(pk__in=in_scope.values("unit_id")) | Q(pk__in=scope.assigned_unit_ids())
        ).order_by("path")
        context.update(
            units=units,
            selected_unit=self.unit,
            month=self.request.GET.get("month", "") if self.month else "",
            can_record=scope.can_anywhere(Capability.RECORD_VIOLATIONS),
        )
        return context


class ViolationCreateView(ScopeRequiredMixin, FormView):
    """Record a violation; ``?staff=<id>`` preselects the staff member (404 outside the user's scope, 403 where
    the user may not record violations)."""

    template_name = "evaluations/violation_form.html"
    form_class = ViolationForm
    required_capability = Capability.RECORD_VIOLATIONS
    scoped_object_name = "staff"
    staff = None

    def get_scoped_object(self):
        staff_id = self.request.GET.get("staff", "").strip()
        if not staff_id:
            return None
        # Without the right to record anywhere the page is refused (403) before any staff member is looked up.
        if not self.scope.can_anywhere(self.required_capability):
            raise PermissionDenied
        if not staff_id.isdigit():
            raise Http404
        return staff_get_for_user(user=self.request.user, pk=int(staff_id))

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "staff": self.staff}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            violation = violation_record(actor=self.request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        self._report_grade(violation)
        return redirect(violation.staff)

    def _report_grade(self, violation: Violation) -> None:
        """Tell what the violation did to the month's grade: capped now, later, or not (sheet closed)."""
        month = month_start(violation.occurred_on)
        values = {"name": violation.staff.full_name, "month": f"{month:%m/%Y}"}
        rating = (
            Rating.objects.filter(staff=violation.staff, sheet__month=month).select_related("sheet__scheme").first()
        )
        if rating is None:
            cap = scheme_for(unit=violation.unit, month=month).cap_for(violation.severity)
            messages.success(self.request, _(
                "Violation recorded. The grade of %(name)s for %(month)s will be %(cap)s at best."
            ) % {**values, "cap": cap})
        elif rating.sheet.is_editable:
            messages.success(self.request, _(
                "Violation recorded. The grade of %(name)s for %(month)s is capped at %(cap)s: it is now %(grade)s."
            ) % {**values, "cap": rating.sheet.scheme.cap_for(violation.severity), "grade": rating.grade})
        else:
            messages.warning(self.request, _(
                "Violation recorded. The sheet of %(month)s is %(status)s, so the grade of %(name)s was not changed; "
                "the district office can reopen the sheet."
            ) % {**values, "status": rating.sheet.get_status_display().lower()})

    def get_context_data(self, **kwargs):
        return super().get_context_data(staff=self.staff, **kwargs)


class ViolationDetailView(ScopeRequiredMixin, TemplateResponseMixin, View):
    """A violation and its disciplinary handling: anyone who sees the violation reads it (404 outside the scope);
    those who record violations on its unit propose, decide, appeal, close or cancel, and write the follow-up
    (403 otherwise). Wrong input comes back on the page with nothing saved."""

    template_name = "evaluations/violation_detail.html"
    scoped_object_name = "violation"
    FORMS = {"propose": ProposeForm, "decide": DecideForm, "appeal": ReasonForm, "close": ReasonForm,
             "cancel": ReasonForm, "follow_up": FollowUpForm}

    def get_scoped_object(self):
        return violation_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @cached_property
    def decision(self):
        return discipline_of(self.violation)

    @cached_property
    def can_handle(self) -> bool:
        return self.scope.can(Capability.RECORD_VIOLATIONS, self.violation.unit)

    def _render(self, *, bound=None, action=None, status=200):
        decision = self.decision
        forms = {}
        if self.can_handle:
            if decision is None:
                forms["propose"] = ProposeForm()
            else:
                actions = discipline_services.allowed_actions(user=self.request.user, decision=decision)
                for name in actions:
                    forms[name] = DecideForm(decision=decision) if name == "decide" else ReasonForm(prefix=name)
                forms["follow_up"] = FollowUpForm(initial={"follow_up": decision.follow_up})
        if bound is not None:
            forms[action] = bound
        context = {
            "violation": self.violation,
            "decision": decision,
            "can_handle": self.can_handle,
            "forms": forms,
            "action_labels": {name: label() for name, label in discipline_services.ACTION_LABELS.items()},
            "history": discipline_history(decision=decision) if decision is not None else [],
        }
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self._render()

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        if action not in self.FORMS:
            return self._render(status=400)
        if not self.can_handle:
            raise PermissionDenied
        form_class = self.FORMS[action]
        kwargs = {"prefix": action} if form_class is ReasonForm else {}
        form = form_class(request.POST, **kwargs)
        if not form.is_valid():
            return self._render(bound=form, action=action, status=400)
        data = form.cleaned_data
        try:
            if action == "propose":
                discipline_services.discipline_propose(actor=request.user, violation=self.violation, **data)
            elif self.decision is None:
                return self._render(status=400)
            elif action == "follow_up":
                discipline_services.discipline_follow_up(actor=request.user, decision=self.decision, **data)
            else:
                discipline_services.discipline_transition(
                    actor=request.user, decision=self.decision, action=action, **data
                )
        except ValidationError as error:
            add_service_errors(form, error)
            return self._render(bound=form, action=action, status=400)
        messages.success(request, _("The disciplinary handling was saved."))
        return redirect("evaluations:violation_detail", pk=self.violation.pk)
