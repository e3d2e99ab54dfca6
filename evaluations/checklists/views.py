"""Inspection checklists: the list of those concerning the user, a checklist's items, and the pages where a
province administrator builds the checklists of their jurisdiction (new, edit while unused, copy, default, retire).

Scoped like every page: a checklist that does not concern the user's units (its jurisdiction is neither above nor
inside their scope, and it is not national) is a 404; changing one needs MANAGE_RULES on its jurisdiction (a
national one: superusers only), else 403. Reads go through ``evaluations.checklists.selectors``, writes through
``evaluations.checklists.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from core.forms import add_service_errors
from evaluations.checklists import selectors, services
from evaluations.checklists.forms import ChecklistCopyForm, ChecklistForm
from evaluations.choices import ItemKind
from units.mixins import ScopeRequiredMixin
from units.models import Unit
from units.scope import Capability, scope_for

NATIONAL = "national"


class ChecklistListView(LoginRequiredMixin, TemplateView):
    """The checklists concerning the user, by jurisdiction (national first), with what each is for."""

    template_name = "evaluations/checklist_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        checklists = list(selectors.checklist_list(user=user))
        rows = [(checklist, selectors.checklist_can_manage(user=user, checklist=checklist)) for checklist in checklists]
        return super().get_context_data(
            rows=rows, can_create=scope_for(user).can_anywhere(Capability.MANAGE_RULES), **kwargs
        )


class _ChecklistMixin(ScopeRequiredMixin):
    """One checklist: 404 when it does not concern the user; for a page that changes it (``edits``), 403 unless the
    user manages rules of its jurisdiction."""

    scoped_object_name = "checklist"
    edits = True

    def get_scoped_object(self):
        checklist = selectors.checklist_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        self.can_manage = selectors.checklist_can_manage(user=self.request.user, checklist=checklist)
        if self.edits and not self.can_manage:
            raise PermissionDenied
        return checklist

    def get_context_data(self, **kwargs):
        kwargs.setdefault("checklist", self.checklist)
        return super().get_context_data(**kwargs)

    def refused(self, error: ValidationError):
        for message in error.messages:
            messages.error(self.request, message)
        return redirect("evaluations:checklist_detail", pk=self.checklist.pk)


class ChecklistDetailView(_ChecklistMixin, TemplateView):
    """A checklist's items in order, where it applies, how many visits used it, and what the user may do."""

    template_name = "evaluations/checklist_detail.html"
    edits = False

    def get_context_data(self, **kwargs):
        checklist = self.checklist
        can_copy = self.scope.can_anywhere(Capability.MANAGE_RULES)
        copy_form = None
        if can_copy:
            jurisdictions = selectors.checklist_jurisdictions(user=self.request.user)
            own = list(jurisdictions[:2])
            initial = checklist.jurisdiction_id if self.can_manage else (own[0].pk if len(own) == 1 else None)
            copy_form = ChecklistCopyForm(
                jurisdictions=jurisdictions, national=self.scope.is_global, initial={"jurisdiction": initial}
            )
        return super().get_context_data(
            items=selectors.checklist_items(checklist=checklist),
            in_use=checklist.visit_count > 0,
            can_manage=self.can_manage,
            copy_form=copy_form,
            **kwargs,
        )


def _jurisdiction_from_query(request, scope) -> tuple[bool, Unit | None]:
    """The jurisdiction named by ``?unit=`` (a public code, or "national" for a superuser): (chosen, unit). A unit
    outside the scope is a 404, one where the user may not make rules a 403."""
    code = request.GET.get("unit", "").strip()
    if not code:
        return False, None
    if code == NATIONAL:
        if not scope.is_global:
            raise PermissionDenied
        return True, None
    unit = Unit.objects.visible_to(request.user).filter(public_code=code).first()
    if unit is None:
        raise Http404
    if not scope.can(Capability.MANAGE_RULES, unit):
        raise PermissionDenied
    return True, unit


class ChecklistCreateView(ScopeRequiredMixin, FormView):
    """A new checklist for a jurisdiction where the user manages rules (``?unit=``; chosen for them when they have
    one), from the articles of the code in force there and office checks."""

    template_name = "evaluations/checklist_form.html"
    form_class = ChecklistForm
    required_capability = Capability.MANAGE_RULES

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        scope = scope_for(request.user)
        if not scope.can_anywhere(Capability.MANAGE_RULES):
            raise PermissionDenied
        chosen, self.jurisdiction = _jurisdiction_from_query(request, scope)
        self.choices = None
        if not chosen:
            units = list(selectors.checklist_jurisdictions(user=request.user)[:2])
            if len(units) == 1 and not scope.is_global:
                self.jurisdiction = units[0]
            else:
                self.choices = selectors.checklist_jurisdictions(user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.choices is not None:
            return self.render_to_response({"choices": self.choices, "national": self.scope.is_global, "national_key": NATIONAL})
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.choices is not None:
            return redirect("evaluations:checklist_create")
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        articles = selectors.checklist_articles(jurisdiction=self.jurisdiction)
        return {**super().get_form_kwargs(), "articles": articles}

    def form_valid(self, form):
        try:
            checklist = services.checklist_create(
                actor=self.request.user, jurisdiction=self.jurisdiction, name=form.cleaned_data["name"],
                lines=form.lines(), is_default=form.cleaned_data["is_default"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The checklist “%(name)s” was created.") % {"name": checklist.name})
        return redirect("evaluations:checklist_detail", pk=checklist.pk)

    def get_context_data(self, **kwargs):
        jurisdiction = self.jurisdiction
        query = urlencode({"unit": jurisdiction.public_code if jurisdiction else NATIONAL})
        return super().get_context_data(
            jurisdiction=jurisdiction, action=f"{reverse('evaluations:checklist_create')}?{query}", **kwargs
        )


class ChecklistUpdateView(_ChecklistMixin, FormView):
    """Rename a checklist and change its items, while no visit has used it (else: back, with the way to copy it)."""

    template_name = "evaluations/checklist_form.html"
    form_class = ChecklistForm

    def get(self, request, *args, **kwargs):
        if self.checklist.visit_count:
            messages.warning(request, _("Visits have used this checklist: it can no longer change. Copy it into a new checklist to change it."))
            return redirect("evaluations:checklist_detail", pk=self.checklist.pk)
        return super().get(request, *args, **kwargs)

    @cached_property
    def articles(self):
        return selectors.checklist_articles(jurisdiction=self.checklist.jurisdiction)

    @cached_property
    def items(self):
        return selectors.checklist_items(checklist=self.checklist)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "articles": self.articles, "with_default": False}

    def get_initial(self):
        return ChecklistForm.initial_for(self.checklist, self.items)

    def form_valid(self, form):
        try:
            services.checklist_update(
                actor=self.request.user, checklist=self.checklist, name=form.cleaned_data["name"], lines=form.lines()
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The checklist was saved."))
        return redirect("evaluations:checklist_detail", pk=self.checklist.pk)

    def get_context_data(self, **kwargs):
        in_force = {article.pk for article in self.articles}
        stale = [item for item in self.items if item.kind == ItemKind.ARTICLE and item.article_id not in in_force]
        return super().get_context_data(
            jurisdiction=self.checklist.jurisdiction, stale_items=stale,
            action=reverse("evaluations:checklist_update", args=[self.checklist.pk]), **kwargs
        )


class ChecklistCopyView(_ChecklistMixin, View):
    """Copy a checklist (POST) into a jurisdiction where the user manages rules: to change one that visits used,
    or to adapt another's (e.g. the national one) to a province."""

    edits = False

    def post(self, request, *args, **kwargs):
        if not self.scope.can_anywhere(Capability.MANAGE_RULES):
            raise PermissionDenied
        jurisdictions = selectors.checklist_jurisdictions(user=request.user)
        form = ChecklistCopyForm(request.POST, jurisdictions=jurisdictions, national=self.scope.is_global)
        if not form.is_valid():
            return self.refused(ValidationError([m for errors in form.errors.values() for m in errors]))
        try:
            copy, left_out = services.checklist_copy(
                actor=request.user, checklist=self.checklist, jurisdiction=form.cleaned_data["jurisdiction"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as error:
            return self.refused(error)
        messages.success(request, _("The checklist was copied into “%(name)s”: change it as needed.") % {"name": copy.name})
        if left_out:
            messages.warning(request, _(
                "%(count)s items citing articles of a code not in force there were left out."
            ) % {"count": left_out})
        return redirect("evaluations:checklist_update", pk=copy.pk)


class ChecklistDefaultView(_ChecklistMixin, View):
    """Make a checklist its jurisdiction's default (POST)."""

    def post(self, request, *args, **kwargs):
        try:
            services.checklist_set_default(actor=request.user, checklist=self.checklist)
        except ValidationError as error:
            return self.refused(error)
        messages.success(request, _("“%(name)s” is now preselected when a visit is planned here.") % {"name": self.checklist.name})
        return redirect("evaluations:checklist_detail", pk=self.checklist.pk)


class ChecklistActiveView(_ChecklistMixin, View):
    """Retire a checklist or offer it again (POST; ``active`` from the URL)."""

    active = False

    def post(self, request, *args, **kwargs):
        try:
            services.checklist_set_active(actor=request.user, checklist=self.checklist, active=self.active)
        except ValidationError as error:
            return self.refused(error)
        if self.active:
            messages.success(request, _("The checklist is offered again for new visits."))
        else:
            messages.success(request, _("The checklist is retired: it is no longer offered for new visits."))
        return redirect("evaluations:checklist_detail", pk=self.checklist.pk)
