"""Forms for inspections: they shape input; ``evaluations.inspections.services`` decides and saves.

Choices always come from the user's scope: the teams they manage, the units of those teams' districts, the
staff of the visited unit.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.checklists.selectors import checklists_for_units
from evaluations.choices import CheckResult, Severity, VisitKind
from evaluations.inspections.selectors import checklist_default_for, checklists_for, teams_managed_by
from evaluations.inspections.services import EVIDENCE_MAX_BYTES
from evaluations.models import ChecklistTemplate
from evaluations.violations.selectors import code_articles
from units.choices import DISTRICT_KINDS, Role
from units.models import RoleAssignment, Staff, Unit, User
from units.scope import Capability, scope_for


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.get_full_name()} ({user.username})"


class UsersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return f"{user.get_full_name()} ({user.username})"


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, staff):
        return f"{staff.full_name} ({staff.staff_code}) — {staff.unit.name}"


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


class TeamForm(forms.Form):
    """A new team: its name, the district (or the city) owning it, its leader and members."""

    name = forms.CharField(label=_("Name"), max_length=200)
    owner_unit = forms.ModelChoiceField(label=_("Owned by"), queryset=Unit.objects.none())
    leader = UserChoiceField(label=_("Leader"), queryset=User.objects.none())
    members = UsersChoiceField(label=_("Members"), queryset=User.objects.none(), required=False,
                               widget=forms.SelectMultiple(attrs={"size": 8}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        # The district (or city) where the user manages inspections, and the districts beneath it.
        managed = Unit.objects.where_user_can(user, Capability.MANAGE_INSPECTIONS)
        own = scope.assigned_unit_ids(capability=Capability.MANAGE_INSPECTIONS)
        owners = managed.filter(Q(pk__in=own) | Q(kind__in=DISTRICT_KINDS)).order_by("path")
        self.fields["owner_unit"].queryset = owners
        if len(own) == 1:
            self.fields["owner_unit"].initial = own[0]
        # Inspectors and district office users in the user's area; the service checks the chosen district.
        candidates = (
            RoleAssignment.objects.filter(role__in=(Role.INSPECTOR, Role.DISTRICT_OFFICE)).visible_to(user).values("user_id")
        )
        candidates = User.objects.filter(is_active=True, pk__in=candidates).order_by("full_name", "username")
        self.fields["leader"].queryset = candidates
        self.fields["members"].queryset = candidates
        self.helper = _helper()


class ChecklistChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, checklist):
        where = checklist.jurisdiction.name if checklist.jurisdiction_id else _("national")
        return f"{checklist.name} ({where})"


class VisitPlanForm(forms.Form):
    """A visit on the plan: which team goes where, when, announced or by surprise, about what, with which
    checklist. The checklists offered are those of the unit's province or city (up the tree) and the national
    ones, the default preselected; until a unit is chosen, those of the teams' districts. Choosing a unit reloads
    the choice (htmx, ``?unit=<id>``); the service refuses a checklist that does not apply to the unit."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=None)
    unit = forms.ModelChoiceField(label=_("Unit visited"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=VisitKind.choices, widget=forms.RadioSelect,
                             initial=VisitKind.SCHEDULED,
                             help_text=_("A surprise visit stays hidden from the visited unit until the team starts it."))
    scheduled_at = forms.DateTimeField(
        label=_("Date and time"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    checklist = ChecklistChoiceField(
        label=_("Checklist"), queryset=ChecklistTemplate.objects.none(), required=False,
        empty_label=_("The default checklist of the unit visited"),
        help_text=_("The checklists of the unit's province or city, and the national ones."),
    )

    def __init__(self, *args, user, unit_id: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        teams = teams_managed_by(user)
        self.fields["team"].queryset = teams
        # The units of the teams' districts; the service refuses one outside the chosen team's own district.
        owners = list({team.owner_unit_id: team.owner_unit for team in teams}.values())
        # Units in force today only: a dissolved unit gets no new visit.
        units = Unit.objects.within_any(owners).valid_on(timezone.localdate()).select_related("parent").order_by("path")
        self.fields["unit"].queryset = units
        field = self.fields["checklist"]
        unit = units.filter(pk=unit_id).first() if (unit_id or "").isdigit() and not self.is_bound else None
        if unit is not None:
            self.fields["unit"].initial = unit.pk
            field.queryset = checklists_for(unit)
            field.initial = _default_checklist(unit)
        else:
            field.queryset = checklists_for_units(owners)
            if len(owners) == 1:
                field.initial = _default_checklist(owners[0])
        self.helper = _helper()
        self.helper.layout = Layout(
            "team",
            Field("unit", hx_get=reverse("evaluations:visit_create"), hx_trigger="change", hx_target="#checklist-field",
                  hx_select="#checklist-field", hx_swap="outerHTML"),
            "kind", "scheduled_at", "subject",
            Div("checklist", css_id="checklist-field"),
        )


def _default_checklist(unit) -> int | None:
    try:
        return checklist_default_for(unit).pk
    except ValidationError:
        return None


class ResultForm(forms.Form):
    """One checklist item on the visit: pass / fail / not applicable, a note and photos."""

    result = forms.ChoiceField(label=_("Result"), choices=CheckResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FindingForm(forms.Form):
    """What a failed item revealed: description, article, severity, and the staff concerned (or none)."""

    description = forms.CharField(label=_("What was found"), widget=forms.Textarea(attrs={"rows": 3}))
    article = forms.ModelChoiceField(label=_("Article of the code"), queryset=None)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    staff = StaffMultipleChoiceField(
        label=_("Staff concerned"), queryset=Staff.objects.none(), required=False,
        help_text=_("Each staff member named gets a violation that caps this month's grade. Name nobody for a "
                    "finding about the unit only."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article"].queryset = code_articles(unit=visit.unit, day=timezone.localdate(visit.scheduled_at))
        self.fields["staff"].queryset = (
            Staff.objects.select_related("unit").within(visit.unit).active().order_by("full_name", "pk")
        )
        self.helper = _helper()


class VisitCloseForm(forms.Form):
    summary = forms.CharField(label=_("Conclusion"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class VisitReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ActionCreateForm(forms.Form):
    description = forms.CharField(label=_("What to do"), widget=forms.Textarea(attrs={"rows": 3}))
    owner_unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Unit.objects.none())
    due_on = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = Unit.objects.within(visit.unit).order_by("path")
        self.fields["owner_unit"].initial = visit.unit.pk


class ActionDoneForm(forms.Form):
    evidence = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence_file = forms.FileField(
        label=_("Evidence file (PDF or image)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/jpeg,image/png,image/webp"}),
    )


    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence_file"].help_text = _("At most %(limit)s MB.") % {"limit": EVIDENCE_MAX_BYTES // (1024 * 1024)}


class ActionVerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=(("accept", _("Verified: the work is done")), ("send_back", _("Send back to the unit"))),
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=100, help_text=_("Required when sending back.")
    )
