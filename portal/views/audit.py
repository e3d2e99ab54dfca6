"""The audit trail page: who changed what, when, before and after, for the units the user may audit."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from portal.audit_trail import AUDIT_SOURCES, audit_entries, audit_trail, audit_units
from units.mixins import ScopeRequiredMixin
from units.models import User
from units.scope import Capability


class AuditFilterForm(forms.Form):
    source = forms.ChoiceField(label=_("Records"), choices=[(key, s.label) for key, s in AUDIT_SOURCES.items()], required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False, to_field_name="public_code")
    actor = forms.ModelChoiceField(label=_("Changed by"), queryset=None, required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = audit_units(user=user)
        self.fields["unit"].queryset = units.order_by("path")
        # People who hold a role somewhere in the auditable units (and the user): who may have changed something.
        self.fields["actor"].queryset = (
            User.objects.filter(role_assignments__unit__in=units).distinct().order_by("full_name", "username")
        )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data


class AuditTrailView(ScopeRequiredMixin, ListView):
    """Changes to ratings, sheets, pledges, feedback, violations, inspections and commendations, newest first,
    filterable by unit, user and date. District offices see their district; city administrators everything."""

    template_name = "portal/audit_trail.html"
    context_object_name = "records"
    paginate_by = 50
    required_capability = Capability.VIEW_AUDIT

    def get_queryset(self):
        self.form = AuditFilterForm(self.request.GET or None, user=self.request.user)
        data = self.form.cleaned_data if self.form.is_bound and self.form.is_valid() else {}
        self.source = AUDIT_SOURCES.get(data.get("source") or "ratings")
        actor = data.get("actor")
        return audit_trail(
            user=self.request.user, source=self.source, unit=data.get("unit"), actor_id=actor.pk if actor else None,
            since=data.get("since"), until=data.get("until"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        context["source"] = self.source
        context["entries"] = audit_entries(source=self.source, records=list(context["records"]))
        return context
