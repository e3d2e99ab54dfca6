"""Pages of the commendation lists, a quarter's and a year's alike: the lists in the user's scope, opening or
preparing a unit's list for a period, the review page (remove, add, restore, approve), the .xlsx file and the
printable draft decision.

Everything is read through ``reports.commendations.selectors``: a list or unit outside the scope is a 404; a
visible list the user may not review answers 403 to a change."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic.base import TemplateResponseMixin

from core.forms import add_service_errors
from core.quarters import Year
from core.xlsx import CSV, CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from reports.commendations import services
from reports.commendations.decision import decision_context
from reports.commendations.exports import commendation_csv_stream, commendation_filename, commendation_workbook
from reports.commendations.figures import commendation_entry_rows, commendation_list_generate
from reports.commendations.forms import CommendationOpenForm, EntryAddForm, ReasonForm
from reports.commendations.selectors import (
    commendation_entry_get,
    commendation_history,
    commendation_list_get_for_user,
    commendation_lists_for_user,
    commendation_staff_choices,
    commendation_unit_get_for_user,
    commendation_units_for_user,
    user_can_generate,
    user_can_review,
)
from reports.models import CommendationList
from units.mixins import ScopeRequiredMixin


class CommendationListView(LoginRequiredMixin, TemplateResponseMixin, View):
    """The lists in the user's scope, and a form to open the list of a unit for a quarter or a year."""

    template_name = "reports/commendation_list.html"

    def get(self, request):
        units = commendation_units_for_user(user=request.user)
        form = CommendationOpenForm(request.GET if "unit" in request.GET else None, units=units)
        if form.is_bound and form.is_valid():
            unit, period = form.cleaned_data["unit"], form.cleaned_data["period"]
            return redirect("reports:commendation_for", public_code=unit.public_code, period=period)
        return self.render_to_response({"form": form, "lists": commendation_lists_for_user(user=request.user)})


class CommendationForView(ScopeRequiredMixin, TemplateResponseMixin, View):
    """A unit's list for a quarter or a year: GET goes to it when it exists (or offers to prepare it), POST
    prepares or refreshes the draft and goes to it."""

    template_name = "reports/commendation_for.html"
    scoped_object_name = "unit"

    def get_scoped_object(self):
        return commendation_unit_get_for_user(user=self.request.user, public_code=self.kwargs["public_code"])

    @property
    def period(self):
        return self.kwargs["period"]

    def _existing(self):
        return CommendationList.objects.filter(unit=self.unit, **CommendationList.period_lookup(self.period)).first()

    def _render(self, *, error=None, status=200):
        context = {
            "unit": self.unit, "period": self.period, "is_annual": isinstance(self.period, Year), "error": error,
            "can_generate": user_can_generate(user=self.request.user, unit=self.unit),
            "is_future": self.period.is_future(),
        }
        return self.render_to_response(context, status=status)

    def get(self, request, **kwargs):
        existing = self._existing()
        if existing is not None:
            return redirect("reports:commendation_detail", pk=existing.pk)
        return self._render()

    def post(self, request, **kwargs):
        if not user_can_generate(user=request.user, unit=self.unit):
            raise PermissionDenied
        try:
            commendation_list = commendation_list_generate(unit=self.unit, period=self.period, actor=request.user)
        except ValidationError as error:
            return self._render(error=" ".join(error.messages), status=400)
        if commendation_list.is_editable:
            messages.success(request, _("The draft list was computed from the rule."))
        else:
            messages.info(request, _("This list is approved: it was not recomputed."))
        return redirect("reports:commendation_detail", pk=commendation_list.pk)


class CommendationDetailView(ScopeRequiredMixin, TemplateResponseMixin, View):
    """The review page: the ranked list (``?by=unit`` groups it by unit), removed entries struck with their
    reasons, the office's forms (remove, add, restore, approve) and the history of changes."""

    template_name = "reports/commendation_detail.html"
    ACTIONS = ("remove", "restore", "add", "approve")
    scoped_object_name = "commendation_list"

    def get_scoped_object(self):
        return commendation_list_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @cached_property
    def can_review(self) -> bool:
        return user_can_review(user=self.request.user, commendation_list=self.commendation_list)

    def _add_form(self, data=None):
        return EntryAddForm(data, staff=commendation_staff_choices(commendation_list=self.commendation_list))

    def _render(self, *, add_form=None, reason_errors=None, status=200):
        by_unit = self.request.GET.get("by") == "unit"
        rows = commendation_entry_rows(commendation_list=self.commendation_list)
        if by_unit:
            rows.sort(key=lambda e: (not e.included, e.staff_unit.path, e.rank or 0, e.staff.full_name))
        editable = self.can_review and self.commendation_list.is_editable
        context = {
            "commendation_list": self.commendation_list,
            "included": [e for e in rows if e.included],
            "removed": [e for e in rows if not e.included],
            "by_unit": by_unit,
            "can_review": self.can_review,
            "editable": editable,
            "can_generate": user_can_generate(user=self.request.user, unit=self.commendation_list.unit),
            "add_form": add_form or (self._add_form() if editable else None),
            "reason_errors": reason_errors or {},
            "history": commendation_history(commendation_list=self.commendation_list),
        }
        return self.render_to_response(context, status=status)

    def get(self, request, **kwargs):
        return self._render()

    def post(self, request, **kwargs):
        action = request.POST.get("action")
        if action not in self.ACTIONS:
            return self._render(status=400)
        if not self.can_review:
            raise PermissionDenied
        try:
            if action == "approve":
                services.commendation_list_approve(actor=request.user, commendation_list=self.commendation_list)
                messages.success(request, _("The list is approved."))
            elif action == "add":
                form = self._add_form(request.POST)
                if not form.is_valid():
                    return self._render(add_form=form, status=400)
                try:
                    services.commendation_entry_add(
                        actor=request.user, commendation_list=self.commendation_list,
                        staff=form.cleaned_data["staff"], reason=form.cleaned_data["reason"],
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                    return self._render(add_form=form, status=400)
                messages.success(request, _("The staff member was added to the list."))
            else:
                entry_pk = request.POST.get("entry", "")
                entry = commendation_entry_get(
                    commendation_list=self.commendation_list, pk=int(entry_pk) if entry_pk.isdigit() else 0
                )
                form = ReasonForm(request.POST)
                form.is_valid()
                reason = form.cleaned_data.get("reason", "")
                try:
                    if action == "remove":
                        services.commendation_entry_remove(actor=request.user, entry=entry, reason=reason)
                        messages.success(request, _("The staff member was removed from the list."))
                    else:
                        services.commendation_entry_restore(actor=request.user, entry=entry, reason=reason)
                        messages.success(request, _("The staff member is back on the list."))
                except ValidationError as error:
                    if hasattr(error, "error_dict") and "reason" in error.error_dict:
                        return self._render(reason_errors={entry.pk: error.message_dict["reason"]}, status=400)
                    raise
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(reverse("reports:commendation_detail", args=[self.commendation_list.pk]))


class CommendationXlsxView(LoginRequiredMixin, View):
    """The list as an .xlsx workbook (Vietnamese headers): the ranked staff, and those removed with reasons."""

    def get(self, request, pk):
        commendation_list = commendation_list_get_for_user(user=request.user, pk=pk)
        content = commendation_workbook(
            commendation_list=commendation_list, rows=commendation_entry_rows(commendation_list=commendation_list)
        )
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{commendation_filename(commendation_list)}"'
        return response


class CommendationCsvView(LoginRequiredMixin, View):
    """The list as a CSV file (UTF-8 with a byte-order mark), streamed: the ranked staff, then those removed."""

    def get(self, request, pk):
        commendation_list = commendation_list_get_for_user(user=request.user, pk=pk)
        rows = commendation_entry_rows(commendation_list=commendation_list)
        response = StreamingHttpResponse(commendation_csv_stream(commendation_list=commendation_list, rows=rows),
                                         content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{commendation_filename(commendation_list, CSV)}"'
        return response


class CommendationDecisionView(LoginRequiredMixin, TemplateResponseMixin, View):
    """The draft decision of the unit's People's Committee commending the staff on the list, for A4 paper."""

    template_name = "reports/commendation_decision.html"

    def get(self, request, pk):
        commendation_list = commendation_list_get_for_user(user=request.user, pk=pk)
        return self.render_to_response(decision_context(commendation_list=commendation_list))
