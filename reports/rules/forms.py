"""Forms of the rule pages: they shape input (each field's own checks: required, 0–100, a date); whether the
rule may be saved (one per jurisdiction and day, not every weight zero, approved lists untouched) is decided
by ``reports.rules.services``."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import CommendationRule, RankingWeights
from reports.rules.services import COMMENDATION_RULE_FIELDS, RANKING_WEIGHTS_FIELDS

NATIONAL = "national"


def _model_field(model, name: str, **kwargs) -> forms.Field:
    return model._meta.get_field(name).formfield(**kwargs)


def _date_field(model) -> forms.DateField:
    return _model_field(
        model, "effective_from", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The rule applies from this day until the jurisdiction's next rule."),
    )


class JurisdictionField(forms.ChoiceField):
    """The unit a new rule belongs to, among those the user manages (``NATIONAL``: the national default, for a
    superuser). Cleans to a ``Unit`` or ``None``."""

    def __init__(self, *, units, national: bool, **kwargs):
        self.units = {str(unit.pk): unit for unit in units}
        choices = [(key, unit.name) for key, unit in self.units.items()]
        if national:
            choices.append((NATIONAL, _("National default (every province without a rule of its own)")))
        super().__init__(choices=choices, label=_("Jurisdiction"), **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return None if value == NATIONAL else self.units[value]


class RuleForm(forms.Form):
    """A rule's fields; with ``units`` given, also the jurisdiction it is made for (a new rule)."""

    field_names: tuple[str, ...] = ()

    def __init__(self, *args, units=None, national: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["jurisdiction"] = JurisdictionField(units=units, national=national)
            self.order_fields(["jurisdiction", *self.field_names])
        self.helper = FormHelper()
        self.helper.form_tag = False

    def rule_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.field_names}


class CommendationRuleForm(RuleForm):
    field_names = COMMENDATION_RULE_FIELDS

    name = _model_field(CommendationRule, "name")
    legal_basis = _model_field(
        CommendationRule, "legal_basis",
        help_text=_("The decision the rule comes from, as cited in the draft commendation decision "
                    "(e.g. \"Quyết định số …/QĐ-UBND ngày … của Ủy ban nhân dân tỉnh …\")."),
    )
    effective_from = _date_field(CommendationRule)
    min_grade = _model_field(CommendationRule, "min_grade")
    months_required = _model_field(CommendationRule, "months_required", help_text=_("From 1 to 3."))
    allow_violations = _model_field(CommendationRule, "allow_violations")
    allow_substantiated_complaints = _model_field(CommendationRule, "allow_substantiated_complaints")
    quota_percent = _model_field(CommendationRule, "quota_percent", help_text=_("From 1 to 100."))
    quota_min = _model_field(CommendationRule, "quota_min")


class RankingWeightsForm(RuleForm):
    field_names = RANKING_WEIGHTS_FIELDS

    name = _model_field(RankingWeights, "name")
    effective_from = _date_field(RankingWeights)
    coverage = _model_field(RankingWeights, "coverage")
    grades = _model_field(RankingWeights, "grades")
    satisfaction = _model_field(RankingWeights, "satisfaction")
    on_time = _model_field(RankingWeights, "on_time")
    discipline = _model_field(RankingWeights, "discipline")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in RankingWeights.COMPONENTS:
            self.fields[name].help_text = _("From 0 to 100.")
