"""Pages where province administrators configure their scoring schemes: the list of the schemes of their
jurisdictions (their own, editable, and the inherited and national ones, read only), a scheme with a preview of
how a sample row grades, creating one, editing one in place while no sheet beyond draft uses it, a new version
from a date, deleting one no sheet uses.

The gate (``_SchemeGate``): without ``Capability.MANAGE_RULES`` anywhere every page is a 403, before any scheme is
looked at; a scheme outside the user's jurisdictions is a 404; changing a scheme the user may only read (an
inherited one, a national default) is a 403. Writes go through ``evaluations.schemes.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.forms import add_service_errors
from evaluations.ratings import scoring
from evaluations.schemes import selectors, services
from evaluations.schemes.forms import NewVersionForm, SchemeDeleteForm, SchemeEditor, SchemePreviewForm
from evaluations.schemes.services import SchemeValues
from units.mixins import ScopeRequiredMixin
from units.scope import Capability

PREVIEW_STAFF = 20  # the sample unit of the cap's example
PREVIEW_GOOD = 10


class _SchemeGate(ScopeRequiredMixin):
    """403 without the right to manage rules anywhere; the scheme of the URL through the user's jurisdictions
    (404 outside them); with ``for_writing``, 403 unless the user manages the scheme's jurisdiction."""

    scoped_object_name = "scheme"
    for_writing = False

    def get_scoped_object(self):
        if not self.scope.can_anywhere(Capability.MANAGE_RULES):
            raise PermissionDenied
        if "pk" not in self.kwargs:
            return None
        scheme = selectors.scheme_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        if self.for_writing and not selectors.can_manage_rules_of(self.request.user, scheme.jurisdiction):
            raise PermissionDenied
        return scheme


def _saved_message(request, saved: services.SchemeSaved, text: str) -> None:
    if saved.regraded_sheets:
        text += " " + _("Open sheets re-graded by it: %(count)s.") % {"count": saved.regraded_sheets}
    messages.success(request, text)


class SchemeListView(_SchemeGate, TemplateView):
    """The schemes of the user's jurisdictions: which one is in force today, their own and the inherited ones."""

    template_name = "evaluations/schemes/scheme_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        rows = selectors.scheme_rows(user=user)
        return super().get_context_data(
            own_rows=[row for row in rows if row.can_manage],
            inherited_rows=[row for row in rows if not row.can_manage],
            in_force=selectors.schemes_in_force(user=user),
            can_create=selectors.rule_jurisdictions_of(user).exists() or self.scope.is_global,
            **kwargs,
        )


class SchemeDetailView(_SchemeGate, TemplateView):
    """A scheme: its fields, groups and criteria, the sheets it grades, and a preview of a sample row (GET)."""

    template_name = "evaluations/schemes/scheme_detail.html"

    def get_context_data(self, **kwargs):
        scheme = self.scheme
        row = selectors.scheme_row(user=self.request.user, scheme=scheme)
        form = SchemePreviewForm(self.request.GET or None, scheme=scheme,
                                 initial={"staff": PREVIEW_STAFF, "good": PREVIEW_GOOD})
        preview = cap_example = None
        if not form.is_bound or form.is_valid():  # unbound: a row at full marks, the sample unit
            data = form.cleaned_data if form.is_bound else {}
            points = data.get("points") or {group.code: group.default_points for group in form.groups}
            staff = PREVIEW_STAFF if data.get("staff") is None else data["staff"]
            good = min(PREVIEW_GOOD, staff) if data.get("good") is None else data["good"]
            preview = selectors.scheme_preview(scheme=scheme, points=points, severity=data.get("severity", ""))
            cap_example = selectors.cap_example_text(scheme, staff=staff, good=good)
        groups = list(scheme.groups.all())
        baseline = scoring.baseline_points(groups, percent=scheme.baseline_percent)
        return super().get_context_data(
            scheme=scheme, row=row, groups=groups, preview_form=form, preview=preview,
            baseline=[(group, baseline[group.code]) for group in groups], baseline_total=scoring.total_of(baseline),
            baseline_grade=scoring.grade_by_points(scoring.total_of(baseline), a_min=scheme.a_min, b_min=scheme.b_min,
                                                   c_min=scheme.c_min),
            cap_rule=selectors.cap_rule_text(scheme), cap_example=cap_example,
            effective=selectors.effective_text(scheme, row.until),
            refusal=services.scheme_graded_refusal(scheme) if row.can_manage else None,
            **kwargs,
        )


def _editor_kwargs(user) -> dict:
    jurisdictions = selectors.rule_jurisdictions_of(user)
    return {"jurisdictions": jurisdictions, "national_allowed": selectors.can_manage_rules_of(user, None)}


class SchemeCreateView(_SchemeGate, View):
    """A new scheme for one of the user's jurisdictions; ``?from=<id>`` starts from a scheme the user may see
    (a national default, an inherited scheme, one of their own)."""

    template_name = "evaluations/schemes/scheme_form.html"

    def _render(self, editor, source=None):
        return render(self.request, self.template_name, {"editor": editor, "source": source, "creating": True})

    def get(self, request):
        source = None
        raw = request.GET.get("from", "")
        if raw.isdigit():
            source = selectors.scheme_get_for_user(user=request.user, pk=int(raw))
        values = SchemeValues.of(source) if source else SchemeValues(name="", effective_from=None)
        extra_groups = 1 if source else 3
        initial = {"effective_from": None} if source else {}
        return self._render(SchemeEditor(values=values, initial=initial, extra_groups=extra_groups,
                                         extra_criteria=2 if source else 3, **_editor_kwargs(request.user)), source)

    def post(self, request):
        editor = SchemeEditor(data=request.POST, **_editor_kwargs(request.user))
        if "add_rows" in request.POST:
            return self._render(editor.with_more_rows())
        if editor.is_valid():
            try:
                saved = services.scheme_create(actor=request.user, jurisdiction=editor.form.cleaned_data.get("jurisdiction"),
                                               values=editor.values())
            except ValidationError as error:
                add_service_errors(editor.form, error)
            else:
                _saved_message(request, saved, _("Scheme “%(name)s” created.") % {"name": saved.scheme.name})
                return redirect("evaluations:scheme_detail", pk=saved.scheme.pk)
        return self._render(editor)


class SchemeUpdateView(_SchemeGate, View):
    """Edit a scheme in place, only while no sheet beyond draft uses it; otherwise the page says why and offers a
    new version from a date."""

    template_name = "evaluations/schemes/scheme_form.html"
    for_writing = True

    def _render(self, editor, refusal=None):
        return render(self.request, self.template_name, {"editor": editor, "scheme": self.scheme, "refusal": refusal,
                                                         "new_version_form": NewVersionForm() if refusal else None})

    def get(self, request, pk):
        refusal = services.scheme_graded_refusal(self.scheme)
        editor = None if refusal else SchemeEditor(values=SchemeValues.of(self.scheme), with_reason=True)
        return self._render(editor, refusal)

    def post(self, request, pk):
        editor = SchemeEditor(data=request.POST, with_reason=True)
        if "add_rows" in request.POST:
            return self._render(editor.with_more_rows())
        if editor.is_valid():
            try:
                saved = services.scheme_update(actor=request.user, scheme=self.scheme, values=editor.values(),
                                               reason=editor.form.cleaned_data.get("reason", ""))
            except ValidationError as error:
                if getattr(error, "code", None) == "in_use":
                    return self._render(None, error)
                add_service_errors(editor.form, error)
            else:
                _saved_message(request, saved, _("Scheme “%(name)s” saved.") % {"name": saved.scheme.name})
                return redirect("evaluations:scheme_detail", pk=saved.scheme.pk)
        return self._render(editor)


class SchemeNewVersionView(_SchemeGate, View):
    """Copy a scheme (its groups and criteria) into a new one of the same jurisdiction from a later date, then
    edit the copy."""

    template_name = "evaluations/schemes/scheme_new_version.html"
    for_writing = True

    def _render(self, form):
        return render(self.request, self.template_name, {"form": form, "scheme": self.scheme})

    def get(self, request, pk):
        return self._render(NewVersionForm(initial={"name": self.scheme.name}))

    def post(self, request, pk):
        form = NewVersionForm(request.POST)
        if form.is_valid():
            try:
                saved = services.scheme_new_version(actor=request.user, scheme=self.scheme, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                _saved_message(request, saved, _("New version created: check it and change what the new rules change."))
                return redirect("evaluations:scheme_update", pk=saved.scheme.pk)
        return self._render(form)


class SchemeDeleteView(_SchemeGate, View):
    """Delete a scheme no sheet uses, after a confirmation."""

    template_name = "evaluations/schemes/scheme_confirm_delete.html"
    for_writing = True

    def _render(self, form):
        return render(self.request, self.template_name, {
            "form": form, "scheme": self.scheme, "sheet_count": self.scheme.sheets.count(),
        })

    def get(self, request, pk):
        return self._render(SchemeDeleteForm())

    def post(self, request, pk):
        form = SchemeDeleteForm(request.POST)
        if form.is_valid():
            try:
                services.scheme_delete(actor=request.user, scheme=self.scheme, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Scheme “%(name)s” deleted.") % {"name": self.scheme.name})
                return redirect("evaluations:scheme_list")
        return self._render(form)
