"""Corrective actions: the list in the user's scope, the detail page where the inspected unit marks an action
done and the team verifies it, the evidence download, and setting an action for a finding.

Everything is read through ``inspection_selectors``: an action on a visit the user may not see is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView
from django.views.generic.base import TemplateResponseMixin

from core.files import private_file_response
from core.forms import add_service_errors
from evaluations.choices import ActionStatus
from evaluations.inspections.forms import ActionCreateForm, ActionDoneForm, ActionVerifyForm
from evaluations.inspections.selectors import action_get_for_user, action_list, finding_get_for_user
from evaluations.inspections.services import (
    action_create,
    action_mark_done,
    action_verify,
    user_can_correct,
    user_can_follow_up,
)
from units.mixins import ScopeRequiredMixin


class ActionListView(LoginRequiredMixin, ListView):
    """Corrective actions in the user's scope; ``?status=open|done|verified`` or ``?overdue=1``."""

    template_name = "evaluations/action_list.html"
    context_object_name = "actions"
    paginate_by = 50

    def get_queryset(self):
        self.status = self.request.GET.get("status", "")
        self.overdue = self.request.GET.get("overdue") == "1"
        return action_list(user=self.request.user, status=self.status or None, overdue=self.overdue)

    def get_template_names(self):
        if self.request.htmx:
            return ["evaluations/partials/action_rows.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            statuses=ActionStatus.choices, status=self.status, overdue=self.overdue, **kwargs
        )


class ActionDetailView(ScopeRequiredMixin, TemplateResponseMixin, View):
    """One action; the inspected unit's form to mark it done, the team's form to verify it or send it back.
    Anyone who may see the action's visit sees the page; who may act is the services' rule."""

    template_name = "evaluations/action_detail.html"
    scoped_object_name = "action"

    def get_scoped_object(self):
        return action_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @cached_property
    def can_correct(self) -> bool:
        """The responsible unit may mark the open action done."""
        return self.action.status == ActionStatus.OPEN and user_can_correct(user=self.request.user, action=self.action)

    @cached_property
    def can_verify(self) -> bool:
        """The team (or the district office above it) may verify the done action or send it back."""
        return self.action.status == ActionStatus.DONE and user_can_follow_up(
            user=self.request.user, visit=self.action.finding.visit
        )

    def render(self, *, done_form=None, verify_form=None):
        return self.render_to_response(
            {
                "action": self.action,
                "visit": self.action.finding.visit,
                "history": self.action.history.select_related("history_user").order_by("-history_date")[:20],
                "done_form": done_form or (ActionDoneForm() if self.can_correct else None),
                "verify_form": verify_form or (ActionVerifyForm() if self.can_verify else None),
            }
        )

    def get(self, request, *args, **kwargs):
        return self.render()


class ActionMarkDoneView(ActionDetailView):
    """The responsible unit marks the action done, with evidence (403 for anyone else)."""

    def get(self, request, *args, **kwargs):
        return redirect("evaluations:action_detail", pk=self.action.pk)

    def post(self, request, *args, **kwargs):
        if not user_can_correct(user=request.user, action=self.action):
            raise PermissionDenied
        form = ActionDoneForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                action_mark_done(
                    actor=request.user, action=self.action, evidence=form.cleaned_data["evidence"],
                    evidence_file=form.cleaned_data["evidence_file"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The corrective action is marked done. The team will verify it."))
                return redirect("evaluations:action_detail", pk=self.action.pk)
        self.can_correct = True
        return self.render(done_form=form)


class ActionVerifyView(ActionDetailView):
    """The team verifies the done action or sends it back with a note (403 for anyone else)."""

    def get(self, request, *args, **kwargs):
        return redirect("evaluations:action_detail", pk=self.action.pk)

    def post(self, request, *args, **kwargs):
        if not user_can_follow_up(user=request.user, visit=self.action.finding.visit):
            raise PermissionDenied
        form = ActionVerifyForm(request.POST)
        if form.is_valid():
            accepted = form.cleaned_data["decision"] == "accept"
            try:
                action_verify(actor=request.user, action=self.action, accepted=accepted, note=form.cleaned_data["note"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if accepted:
                    messages.success(request, _("The corrective action is verified."))
                else:
                    messages.warning(request, _("The corrective action was sent back to the unit."))
                return redirect("evaluations:action_detail", pk=self.action.pk)
        self.can_verify = True
        return self.render(verify_form=form)


def action_evidence_download(request, pk):
    """The evidence file of an action, as an attachment, for users who may see the action (else 404)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    action = action_get_for_user(user=request.user, pk=pk)
    return private_file_response(action.evidence_file, download_name=f"minh-chung-{action.pk}")


class ActionCreateView(ScopeRequiredMixin, FormView):
    """The team or the district office sets a corrective action for a finding."""

    template_name = "evaluations/action_form.html"
    form_class = ActionCreateForm
    scoped_object_name = "finding"

    def get_scoped_object(self):
        finding = finding_get_for_user(user=self.request.user, pk=self.kwargs["pk"])  # 404 outside the scope
        # Not one capability: the visit's own team, or the district office above the visited unit (403 otherwise).
        if not user_can_follow_up(user=self.request.user, visit=finding.visit):
            raise PermissionDenied
        return finding

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "visit": self.finding.visit}

    def form_valid(self, form):
        try:
            action = action_create(actor=self.request.user, finding=self.finding, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Corrective action added."))
        return redirect("evaluations:action_detail", pk=action.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(finding=self.finding, visit=self.finding.visit, **kwargs)
