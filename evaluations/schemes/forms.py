"""Forms of the scheme pages: they shape input; ``evaluations.schemes.services`` decides what is valid and saves.

The scheme page works without JavaScript: the groups and their criteria are rows of plain inputs, a few of them
blank, and an "add rows" button posts the page back with more blank rows (nothing is saved by it). A blank row is
ignored; a row with anything typed in it is checked by the service, which names the group in its message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.choices import AnnualMethod, CapKind, DisciplineForm, Grade, RatingPeriod, Severity
from evaluations.ratings import scoring
from evaluations.schemes.selectors import points_text
from evaluations.schemes.services import MAX_CRITERIA, MAX_GROUPS, CriterionValues, GroupValues, SchemeValues
from units.models import Unit


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PointsField(forms.DecimalField):
    """Points as officers type them: "18,5" as well as "18.5". Ranges are the service's to check."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)

    def prepare_value(self, value):
        return points_text(value) if value not in (None, "") and not isinstance(value, str) else value


def _helper(layout: Layout | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout is not None:
        helper.layout = layout
    return helper


class JurisdictionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return unit.name


class SchemeForm(forms.Form):
    """The scheme's own fields: where and from when it applies, how often it rates, the grades, the cap on grade A
    and what a violation allows at best."""

    jurisdiction = JurisdictionChoiceField(
        label=_("Applies to"), queryset=Unit.objects.none(),
        help_text=_("The unit whose whole subtree the scheme applies to."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    legal_basis = forms.CharField(
        label=_("Legal basis"), max_length=200, required=False,
        help_text=_("The decision the scheme follows, e.g. Decree 335/2025/NĐ-CP of 21/12/2025."),
    )
    effective_from = forms.DateField(label=_("In force from"), widget=DateInput())
    period = forms.ChoiceField(label=_("Rating period"), choices=RatingPeriod.choices, widget=forms.RadioSelect)
    a_min = PointsField(label=_("Minimum points for A"))
    b_min = PointsField(label=_("Minimum points for B"))
    c_min = PointsField(label=_("Minimum points for C"), help_text=_("Below it: D."))
    cap_kind = forms.ChoiceField(label=_("Cap on grade A"), choices=CapKind.choices, widget=forms.RadioSelect)
    a_share_cap_percent = forms.IntegerField(label=_("Cap (%)"))
    exceptional_cap_percent = forms.IntegerField(
        label=_("Cap for an exceptional unit (%)"), required=False,
        help_text=_("Applies when the level above marks a unit exceptional for a period; empty: no exceptions."),
    )
    baseline_percent = forms.IntegerField(
        label=_("Starting points of a new sheet (percent of each group's maximum)"), required=False,
        help_text=_("Where each row starts when the staff member has no self-assessment and no points of the period "
                    "before; bonus groups start at 0. 80 %: 16 of 20 and 56 of 70, grade B under Hanoi's scheme."),
    )
    cap_minor = forms.ChoiceField(label=_("Best grade after a minor violation"), choices=Grade.choices)
    cap_serious = forms.ChoiceField(label=_("Best grade after a serious violation"), choices=Grade.choices)
    cap_very_serious = forms.ChoiceField(label=_("Best grade after a very serious violation"), choices=Grade.choices)
    annual_method = forms.ChoiceField(label=_("The year's grade"), choices=AnnualMethod.choices)
    annual_min_rated_percent = forms.IntegerField(
        label=_("Share of the year's periods rated to be classified (%)"),
        help_text=_("Staff rated in fewer of the year's periods are not classified for the year."),
    )
    annual_d_period_cap = forms.ChoiceField(
        label=_("Best grade of the year after a period rated D"), required=False,
        choices=[("", _("No cap"))] + list(Grade.choices),
    )
    annual_sanction_trigger = forms.ChoiceField(
        label=_("Lightest sanction of the year that forces D"), required=False,
        choices=[("", _("None"))] + list(DisciplineForm.choices),
        help_text=_("Decree 335/2025: reprimand or heavier."),
    )
    annual_a_cap_percent = forms.IntegerField(
        label=_("Cap on the share of A for the year (%)"), required=False,
        help_text=_("Counted like the period's cap; empty: the period's cap."),
    )
    reason = forms.CharField(label=_("What changed and why (kept in the history)"), max_length=100, required=False)

    def __init__(self, *args, jurisdictions=None, national_allowed: bool = False, with_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if jurisdictions is None:
            del self.fields["jurisdiction"]
        else:
            field_ = self.fields["jurisdiction"]
            field_.queryset = jurisdictions
            if national_allowed:
                field_.required = False
                field_.empty_label = _("The whole country (national default)")
            elif len(jurisdictions) == 1:
                field_.initial = jurisdictions[0].pk
        if not with_reason:
            del self.fields["reason"]
        first = [name for name in ("jurisdiction", "name", "legal_basis") if name in self.fields]
        self.helper = _helper(Layout(
            Fieldset(_("The scheme"), *first, Row(Column("effective_from"), Column("period"))),
            Fieldset(_("Grades by points"), Row(Column("a_min"), Column("b_min"), Column("c_min")), "baseline_percent"),
            Fieldset(_("Cap on grade A"), "cap_kind", Row(Column("a_share_cap_percent"), Column("exceptional_cap_percent"))),
            Fieldset(_("A violation in the period caps the grade"),
                     Row(Column("cap_minor"), Column("cap_serious"), Column("cap_very_serious"))),
            Fieldset(_("The year's classification"), Row(Column("annual_method"), Column("annual_min_rated_percent")),
                     Row(Column("annual_d_period_cap"), Column("annual_sanction_trigger"), Column("annual_a_cap_percent"))),
            *(["reason"] if with_reason else []),
        ))


class GroupRowForm(forms.Form):
    """One criterion group's row. Nothing is required here: the service names what is missing."""

    code = forms.CharField(label=_("Code"), max_length=30, required=False)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    max_points = PointsField(label=_("Maximum points"), required=False)
    is_bonus = forms.BooleanField(label=_("Bonus"), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, required=False)
    delete = forms.BooleanField(label=_("Remove this group"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class CriterionRowForm(forms.Form):
    """One criterion of a group: what the rater checks, and its share of the group's points."""

    name = forms.CharField(label=_("Criterion"), max_length=300, required=False)
    max_points = PointsField(label=_("Points"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
        for field_ in self.fields.values():
            field_.widget.attrs["aria-label"] = field_.label


def _style(form: forms.Form) -> None:
    """Bootstrap's small inputs for rows written out by the template (not by crispy)."""
    for field_ in form.fields.values():
        css = "form-check-input" if isinstance(field_.widget, forms.CheckboxInput) else "form-control form-control-sm"
        field_.widget.attrs["class"] = css


def _blank(form: forms.Form, names: tuple[str, ...]) -> bool:
    return all(str(form[name].value() or "").strip() == "" for name in names)


@dataclass
class GroupRow:
    form: GroupRowForm
    criteria: list[CriterionRowForm] = field(default_factory=list)
    position: int = 0

    @property
    def criteria_count_name(self) -> str:
        return f"{self.form.prefix}-criteria"


def _bounded_count(data, name: str, maximum: int) -> int:
    try:
        return max(0, min(int(data.get(name, 0)), maximum))
    except (TypeError, ValueError):
        return 0


class SchemeEditor:
    """The whole page's input: the scheme's fields (``form``), its groups and each group's criteria (``groups``).

    Unbound, it shows ``values`` (a scheme being edited or copied) with ``extra_groups`` blank groups and
    ``extra_criteria`` blank criteria under each. Bound, it reads as many rows as the page sent (counted in hidden
    fields, one more than a scheme may hold at most, so that too many rows are refused rather than dropped).
    """

    GROUPS_COUNT = "groups"

    def __init__(self, *, data=None, values: SchemeValues | None = None, initial: dict | None = None,
                 extra_groups: int = 1, extra_criteria: int = 2, **form_kwargs):
        self.form_kwargs = form_kwargs
        self.groups: list[GroupRow] = []
        if data is None:
            self.form = SchemeForm(initial={**(_scheme_initial(values) if values else {}), **(initial or {})}, **form_kwargs)
            rows = [(_group_initial(g, position), [_criterion_initial(c) for c in g.criteria])
                    for position, g in enumerate(values.groups if values else (), 1)]
            self._unbound_rows(rows, extra_groups, extra_criteria)
        else:
            self.form = SchemeForm(data, **form_kwargs)
            for index in range(_bounded_count(data, self.GROUPS_COUNT, MAX_GROUPS + 1)):
                group_form = GroupRowForm(data, prefix=f"g{index}")
                count = _bounded_count(data, f"g{index}-criteria", MAX_CRITERIA + 1)
                criteria = [CriterionRowForm(data, prefix=f"g{index}-c{j}") for j in range(count)]
                self.groups.append(GroupRow(form=group_form, criteria=criteria, position=index + 1))

    def _unbound_rows(self, rows: list[tuple[dict, list[dict]]], extra_groups: int, extra_criteria: int) -> None:
        rows = rows + [({}, []) for _ in range(extra_groups)]
        for index, (group_initial, criteria_initial) in enumerate(rows[:MAX_GROUPS + 1]):
            criteria = (criteria_initial + [{} for _ in range(extra_criteria)])[:MAX_CRITERIA + 1]
            self.groups.append(GroupRow(
                form=GroupRowForm(initial=group_initial, prefix=f"g{index}"),
                criteria=[CriterionRowForm(initial=c, prefix=f"g{index}-c{j}") for j, c in enumerate(criteria)],
                position=index + 1,
            ))

    def with_more_rows(self) -> SchemeEditor:
        """The same page unbound, as typed so far, with one more blank group and two more blank criteria per group
        (nothing is checked or saved)."""
        editor = SchemeEditor.__new__(SchemeEditor)
        editor.form_kwargs = self.form_kwargs
        editor.form = SchemeForm(initial={name: self.form[name].value() for name in self.form.fields}, **self.form_kwargs)
        editor.groups = []
        rows = [
            ({name: row.form[name].value() for name in row.form.fields},
             [{name: c[name].value() for name in c.fields} for c in row.criteria])
            for row in self.groups
        ]
        editor._unbound_rows(rows, extra_groups=1, extra_criteria=2)
        return editor

    def is_valid(self) -> bool:
        forms_ = [self.form, *(row.form for row in self.groups), *(c for row in self.groups for c in row.criteria)]
        results = [form.is_valid() for form in forms_]  # every form checked, so that every error shows
        return all(results)

    @property
    def row_errors(self) -> bool:
        return any(row.form.errors or any(c.errors for c in row.criteria) for row in self.groups)

    def values(self) -> SchemeValues:
        """The typed scheme (after ``is_valid``): blank rows and removed groups left out, groups in their order."""
        data = self.form.cleaned_data
        groups = []
        for row in self.groups:
            clean = row.form.cleaned_data
            criteria = [c.cleaned_data for c in row.criteria if not _blank(c, ("name", "max_points"))]
            if clean.get("delete") or (_blank(row.form, ("code", "name", "max_points")) and not criteria):
                continue
            groups.append((clean.get("order"), row.position, GroupValues(
                code=clean.get("code", ""), name=clean.get("name", ""), max_points=clean.get("max_points"),
                is_bonus=bool(clean.get("is_bonus")),
                criteria=tuple(CriterionValues(name=c.get("name", ""), max_points=c.get("max_points")) for c in criteria),
            )))
        groups.sort(key=lambda item: (item[0] is None, item[0] or 0, item[1]))
        return SchemeValues(
            name=data["name"], legal_basis=data.get("legal_basis", ""), effective_from=data["effective_from"],
            period=data["period"], a_min=data["a_min"], b_min=data["b_min"], c_min=data["c_min"],
            cap_kind=data["cap_kind"], a_share_cap_percent=data["a_share_cap_percent"],
            exceptional_cap_percent=data.get("exceptional_cap_percent"), cap_minor=data["cap_minor"],
            cap_serious=data["cap_serious"], cap_very_serious=data["cap_very_serious"],
            annual_method=data["annual_method"], annual_min_rated_percent=data["annual_min_rated_percent"],
            annual_d_period_cap=data.get("annual_d_period_cap") or "",
            annual_sanction_trigger=data.get("annual_sanction_trigger") or "",
            annual_a_cap_percent=data.get("annual_a_cap_percent"), baseline_percent=(
                SchemeValues.baseline_percent if data.get("baseline_percent") is None else data["baseline_percent"]),
            groups=tuple(group for _order, _position, group in groups),
        )


def _scheme_initial(values: SchemeValues) -> dict:
    initial = values.fields()
    for name in ("a_min", "b_min", "c_min"):
        if initial[name] is not None:
            initial[name] = points_text(initial[name])
    return initial


def _group_initial(group: GroupValues, position: int) -> dict:
    return {"code": group.code, "name": group.name, "is_bonus": group.is_bonus, "order": position,
            "max_points": points_text(group.max_points) if group.max_points is not None else ""}


def _criterion_initial(criterion: CriterionValues) -> dict:
    return {"name": criterion.name,
            "max_points": points_text(criterion.max_points) if criterion.max_points is not None else ""}


class NewVersionForm(forms.Form):
    """A new version of a scheme: from when, and its name (the same by default)."""

    effective_from = forms.DateField(label=_("In force from"), widget=DateInput(),
                                     help_text=_("After the scheme it copies; sheets of the months before keep their scheme."))
    name = forms.CharField(label=_("Name"), max_length=200, required=False, help_text=_("Empty: the same name."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class SchemeDeleteForm(forms.Form):
    reason = forms.CharField(label=_("Why (kept in the history)"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


def preview_field_name(code: str) -> str:
    # Prefixed, so a group coded "severity" or "staff" cannot collide with the other fields.
    return f"p_{code}"


class SchemePreviewForm(forms.Form):
    """A sample row for the preview (GET): points per group (empty: full marks, a bonus 0), a violation in the
    period, and a sample unit for the cap: how many staff rated, how many of them rated B."""

    severity = forms.ChoiceField(label=_("Violation in the period"), required=False,
                                 choices=[("", _("None"))] + list(Severity.choices))
    staff = forms.IntegerField(label=_("Staff rated in the unit"), min_value=0, max_value=100000, required=False)
    good = forms.IntegerField(label=_("Of whom rated B"), min_value=0, max_value=100000, required=False)

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = list(scheme.groups.all())
        for group in self.groups:
            self.fields[preview_field_name(group.code)] = forms.CharField(
                label=group.name, required=False, max_length=12,
                help_text=_("at most %(max)s") % {"max": points_text(group.max_points)},
                widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": points_text(group.default_points)}),
            )
        self.order_fields([preview_field_name(group.code) for group in self.groups])  # the row first, then the rest

    def clean(self):
        cleaned = super().clean()
        points = {}
        for group in self.groups:
            name = preview_field_name(group.code)
            raw = cleaned.get(name, "")
            if raw in (None, ""):
                points[group.code] = group.default_points
                continue
            try:
                points[group.code] = scoring.parse_points(raw, maximum=group.max_points, label=group.name)
            except forms.ValidationError as error:
                self.add_error(name, error)
        cleaned["points"] = points
        if cleaned.get("staff") is not None and cleaned.get("good") is not None and cleaned["good"] > cleaned["staff"]:
            self.add_error("good", _("No more than the staff rated."))
        return cleaned
