"""Pages for units and staff. Objects outside the user's scope are 404; missing rights inside it, 403."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _, ngettext
from django.views.generic import FormView, ListView, TemplateView

from core.forms import add_service_errors
from units import selectors, services
from units.choices import Structure
from units.forms import (
    PredecessorStaffMoveForm,
    StaffDeactivateForm,
    StaffForm,
    StaffImportForm,
    StaffMoveForm,
    SubUnitForm,
    UnitContactForm,
)
from units.mixins import ScopeRequiredMixin
from units.models import Staff, Unit
from units.scope import Capability, scope_for
from units.staff_import import STAFF_IMPORT_TEMPLATE_NAME, staff_import_template, staff_import_xlsx

STRUCTURE_FILTERS = (Structure.CURRENT, Structure.LEGACY, selectors.ALL_STRUCTURES)


class UnitListView(LoginRequiredMixin, ListView):
    """Units of the user's scope: by default those in force today and the former ones holding records;
    ``?structure=current|legacy|all`` for one structure or every unit."""

    template_name = "units/unit_list.html"
    paginate_by = 50

    @property
    def structure(self) -> str:
        structure = self.request.GET.get("structure", "")
        return structure if structure in STRUCTURE_FILTERS else ""

    def get_queryset(self):
        return selectors.unit_list(
            user=self.request.user,
            query=self.request.GET.get("q", "").strip(),
            structure=self.structure or None,
            kind=self.request.GET.get("kind", ""),
        )

    def get_template_names(self):
        if self.request.htmx:
            return ["units/partials/unit_rows.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(q=self.request.GET.get("q", ""), structure=self.structure, structures=Structure)
        return context


class UnitDetailView(ScopeRequiredMixin, TemplateView):
    """A unit in the user's scope (404 otherwise): its units beneath, its staff, the feedback panel."""

    template_name = "units/unit_detail.html"
    scoped_object_name = "unit"

    def get_scoped_object(self):
        return selectors.unit_get_for_user(user=self.request.user, public_code=self.kwargs["public_code"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, unit, scope = self.request.user, self.unit, self.scope
        show_inactive = self.request.GET.get("inactive") == "1"
        context.update(
            unit=unit,
            children=selectors.unit_children(unit=unit),
            staff=selectors.staff_list(user=user, unit=unit, include_inactive=show_inactive).filter(unit=unit),
            show_inactive=show_inactive,
            merged_from=unit.merged_from.order_by("name"),
            merged_into=unit.merged_into.order_by("name"),
            can_manage_staff=scope.can(Capability.MANAGE_STAFF, unit),
            can_manage_units=scope.can(Capability.MANAGE_UNITS, unit),
            can_edit_contact=scope.can(Capability.EDIT_UNIT_CONTACT, unit) and unit.valid_to is None,
        )
        if context["can_manage_staff"] and unit.valid_to is None:
            # Staff still in the units this one was formed from, to move here (the page of the move lists them).
            context["predecessor_staff_count"] = selectors.predecessor_staff(unit=unit).count()
        return context


class SubUnitCreateView(ScopeRequiredMixin, FormView):
    template_name = "units/subunit_form.html"
    form_class = SubUnitForm
    required_capability = Capability.MANAGE_UNITS
    scoped_object_name = "parent"

    def get_scoped_object(self):
        return selectors.unit_get_for_user(user=self.request.user, public_code=self.kwargs["public_code"])

    def form_valid(self, form):
        try:
            unit = services.unit_create_sub_body(
                actor=self.request.user, parent=self.parent, name=form.cleaned_data["name"], kind=form.cleaned_data["kind"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Added %(unit)s.") % {"unit": unit.name})
        return redirect(unit)

    def get_context_data(self, **kwargs):
        return super().get_context_data(parent=self.parent, **kwargs)


class UnitContactView(ScopeRequiredMixin, FormView):
    """The unit's hotline and address (its poster's), for its head, the office above and administrators."""

    template_name = "units/unit_contact_form.html"
    form_class = UnitContactForm
    required_capability = Capability.EDIT_UNIT_CONTACT
    scoped_object_name = "unit"

    def get_scoped_object(self):
        return selectors.unit_get_for_user(user=self.request.user, public_code=self.kwargs["public_code"])

    def get_initial(self):
        return {"hotline": self.unit.hotline, "address": self.unit.address}

    def form_valid(self, form):
        try:
            services.unit_contact_update(actor=self.request.user, unit=self.unit, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved the contact details of %(unit)s.") % {"unit": self.unit.name})
        return redirect(self.unit)

    def get_context_data(self, **kwargs):
        return super().get_context_data(unit=self.unit, **kwargs)


class StaffListView(LoginRequiredMixin, ListView):
    template_name = "units/staff_list.html"
    paginate_by = 100

    def get_queryset(self):
        return selectors.staff_list(
            user=self.request.user,
            query=self.request.GET.get("q", "").strip(),
            include_inactive=self.request.GET.get("inactive") == "1",
        )

    def get_template_names(self):
        if self.request.htmx:
            return ["units/partials/staff_rows.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_manage = scope_for(self.request.user).can_anywhere(Capability.MANAGE_STAFF)
        context.update(
            q=self.request.GET.get("q", ""),
            show_inactive=self.request.GET.get("inactive") == "1",
            can_import=can_manage,
            units_to_complete=(selectors.units_with_predecessor_staff(user=self.request.user)
                               if can_manage and not self.request.htmx else []),
        )
        return context


class StaffDetailView(ScopeRequiredMixin, TemplateView):
    """A staff member in the user's scope (404 otherwise): details, transfers, the ratings panel, the history."""

    template_name = "units/staff_detail.html"
    scoped_object_name = "staff"

    def get_scoped_object(self):
        return selectors.staff_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        staff = self.staff
        context.update(
            staff=staff,
            history=selectors.staff_history(staff=staff),
            transfers=staff.transfers.select_related("from_unit", "to_unit", "created_by"),
            can_manage=self.scope.can(Capability.MANAGE_STAFF, staff.unit),
            can_record_violation=self.scope.can(Capability.RECORD_VIOLATIONS, staff.unit),
        )
        return context


class StaffManageMixin(ScopeRequiredMixin):
    """Loads the staff member in scope (404 otherwise) and requires the right to manage the unit's staff."""

    required_capability = Capability.MANAGE_STAFF
    scoped_object_name = "staff"

    def get_scoped_object(self):
        return selectors.staff_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(staff=self.staff, **kwargs)


class StaffCreateView(ScopeRequiredMixin, FormView):
    template_name = "units/staff_form.html"
    form_class = StaffForm
    required_capability = Capability.MANAGE_STAFF
    scoped_object_name = "unit"

    def get_scoped_object(self):
        return selectors.unit_get_for_user(user=self.request.user, public_code=self.kwargs["public_code"])

    def get_initial(self):
        return {"active_from": timezone.localdate()}

    def form_valid(self, form):
        try:
            staff = services.staff_create(actor=self.request.user, unit=self.unit, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Added %(name)s to %(unit)s.") % {"name": staff.full_name, "unit": self.unit.name})
        return redirect(self.unit)

    def get_context_data(self, **kwargs):
        return super().get_context_data(unit=self.unit, **kwargs)


class StaffUpdateView(StaffManageMixin, FormView):
    template_name = "units/staff_form.html"
    form_class = StaffForm

    def get_form_kwargs(self):
        # The form works on a copy, so a rejected change never touches the loaded record.
        return {**super().get_form_kwargs(), "instance": Staff.objects.get(pk=self.staff.pk)}

    def form_valid(self, form):
        try:
            services.staff_update(actor=self.request.user, staff=self.staff, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.staff)

    def get_context_data(self, **kwargs):
        return super().get_context_data(unit=self.staff.unit, **kwargs)


class StaffMoveView(StaffManageMixin, FormView):
    template_name = "units/staff_move.html"
    form_class = StaffMoveForm

    def get_form_kwargs(self):
        # Units where the user manages staff: one query, however many units the city has.
        units = (
            Unit.objects.where_user_can(self.request.user, Capability.MANAGE_STAFF)
            .exclude(pk=self.staff.unit_id)
            .select_related("parent")
            .order_by("path")
        )
        return {**super().get_form_kwargs(), "units": units}

    def form_valid(self, form):
        try:
            services.staff_move(actor=self.request.user, staff=self.staff, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s now belongs to %(unit)s.") % {"name": self.staff.full_name, "unit": self.staff.unit.name})
        return redirect(self.staff)


class PredecessorStaffMoveView(ScopeRequiredMixin, FormView):
    """The active staff of the units this unit was formed from (the merge map), moved into it in one step: all of
    them, or those ticked. Who may manage the unit's staff sees them here, for this move only, even without any
    scope over the former units."""

    template_name = "units/staff_from_predecessors.html"
    form_class = PredecessorStaffMoveForm
    required_capability = Capability.MANAGE_STAFF
    scoped_object_name = "unit"

    def get_scoped_object(self):
        return selectors.unit_get_for_user(user=self.request.user, public_code=self.kwargs["public_code"])

    @cached_property
    def candidates(self):
        return list(selectors.predecessor_staff(unit=self.unit))

    def get_initial(self):
        # The day the unit was formed (1 July 2025 for the wards of the reform); today for a unit without a date.
        return {"effective_date": self.unit.valid_from or timezone.localdate()}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "candidates": self.candidates}

    def form_valid(self, form):
        move_all = self.request.POST.get("move") == "all"
        try:
            moved = services.staff_move_from_predecessors(
                actor=self.request.user, unit=self.unit, effective_date=form.cleaned_data["effective_date"],
                staff_ids=None if move_all else form.cleaned_data["staff"], reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            ngettext("Moved %(count)s staff member to %(unit)s.", "Moved %(count)s staff members to %(unit)s.", len(moved))
            % {"count": len(moved), "unit": self.unit.name},
        )
        return redirect(self.unit)

    def get_context_data(self, **kwargs):
        by_unit: dict[int, tuple] = {}
        for person in self.candidates:
            by_unit.setdefault(person.unit_id, (person.unit, []))[1].append(person)
        return super().get_context_data(
            unit=self.unit, groups=list(by_unit.values()), candidate_count=len(self.candidates),
            predecessors=self.unit.merged_from.order_by("name"), **kwargs,
        )


class StaffDeactivateView(StaffManageMixin, FormView):
    template_name = "units/staff_deactivate.html"
    form_class = StaffDeactivateForm

    def form_valid(self, form):
        try:
            services.staff_deactivate(actor=self.request.user, staff=self.staff, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s is no longer active.") % {"name": self.staff.full_name})
        return redirect(self.staff)


class StaffImportView(ScopeRequiredMixin, FormView):
    """Upload a staff list: either every row is saved, or none is and each bad row is explained."""

    template_name = "units/staff_import.html"
    form_class = StaffImportForm
    required_capability = Capability.MANAGE_STAFF

    def form_valid(self, form):
        result = staff_import_xlsx(actor=self.request.user, upload=form.cleaned_data["file"])
        if not result.ok:
            return self.render_to_response(self.get_context_data(form=form, result=result))
        messages.success(self.request, _("Imported %(count)s staff members.") % {"count": result.created})
        return redirect("units:staff_list")


def staff_import_template_download(request):
    if not request.user.is_authenticated:
        return redirect(f"{resolve_url(settings.LOGIN_URL)}?next={request.path}")
    response = HttpResponse(
        staff_import_template(user=request.user),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{STAFF_IMPORT_TEMPLATE_NAME}"'
    return response

