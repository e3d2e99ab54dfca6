"""Pages of a jurisdiction's commendation rules and ranking weights: the list (own rules and the national
defaults), one rule, a new rule, a new version from a date and (a commendation rule no approved list used)
a change in place.

Only users who may manage rules somewhere open them (403 at the door otherwise); a rule of a jurisdiction
outside their scope is a 404; a national default, or a rule they may see but not change, is read-only (403 to a
change)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _, gettext_lazy
from django.views.generic import FormView, TemplateView

from core.forms import add_service_errors
from reports.models import CommendationRule, RankingWeights
from reports.rules import selectors, services
from reports.rules.forms import CommendationRuleForm, RankingWeightsForm
from units.mixins import ScopeRequiredMixin
from units.scope import Capability, scope_for


class RuleKind:
    """What differs between the two kinds of rule the pages serve."""

    def __init__(self, *, model, form_class, prefix: str, title, list_title, intro, create, version, update=None):
        self.model = model
        self.form_class = form_class
        self.prefix = prefix  # of the URL names: reports:<prefix>_list, _detail, _create, _version, _update
        self.title = title
        self.list_title = list_title
        self.intro = intro
        self.create = create
        self.version = version
        self.update = update

    def url(self, action: str, *args) -> str:
        return reverse(f"reports:{self.prefix}_{action}", args=args)

    @property
    def url_list(self) -> str:
        return self.url("list")

    @property
    def url_create(self) -> str:
        return self.url("create")


COMMENDATION = RuleKind(
    model=CommendationRule, form_class=CommendationRuleForm, prefix="commendation_rule",
    title=gettext_lazy("Commendation rule"), list_title=gettext_lazy("Commendation rules"),
    intro=gettext_lazy(
        "Who is proposed for commendation each quarter: the grade and months required, whether a violation or a "
        "substantiated complaint is allowed, and the quota per unit. A unit's list follows the rule of the nearest "
        "jurisdiction above it, else the national default, in force on the quarter's first day."
    ),
    create=services.commendation_rule_create, version=services.commendation_rule_version_create,
    update=services.commendation_rule_update,
)
WEIGHTS = RuleKind(
    model=RankingWeights, form_class=RankingWeightsForm, prefix="ranking_weights",
    title=gettext_lazy("Ranking weights"), list_title=gettext_lazy("Ranking weights"),
    intro=gettext_lazy(
        "How the dashboard ranks the units of a jurisdiction: the weight of pledge coverage, grades, citizen "
        "satisfaction, feedback answered on time and discipline in the score. A dashboard uses the weights of the "
        "nearest jurisdiction above its unit, else the national default, in force in the month shown."
    ),
    create=services.ranking_weights_create, version=services.ranking_weights_version_create,
)


class RulePageMixin(ScopeRequiredMixin):
    """Logged in, and allowed to manage rules somewhere (403 otherwise); ``kind`` says which rules."""

    required_capability = Capability.MANAGE_RULES
    kind: RuleKind

    def get_context_data(self, **kwargs):
        return super().get_context_data(kind=self.kind, **kwargs)


class RuleListView(RulePageMixin, TemplateView):
    template_name = "reports/rules/rule_list.html"
    rows = None

    def get_context_data(self, **kwargs):
        rows = self.rows(user=self.request.user)
        for row in rows:
            row.url_detail = self.kind.url("detail", row.rule.pk)
            row.url_update = self.kind.url("update", row.rule.pk) if row.editable else ""
            row.url_version = self.kind.url("version", row.rule.pk) if row.versionable else ""
        can_create = selectors.rule_jurisdictions_for_user(user=self.request.user).exists()
        return super().get_context_data(rows=rows, can_create=can_create, **kwargs)


class CommendationRuleListView(RuleListView):
    kind = COMMENDATION
    rows = staticmethod(selectors.commendation_rule_rows)


class RankingWeightsListView(RuleListView):
    kind = WEIGHTS
    rows = staticmethod(selectors.ranking_weights_rows)


class RuleObjectMixin(RulePageMixin):
    """A view of one rule, read through the scope (404 outside it). The right to manage rules is checked at the
    door; the right to change this rule (its jurisdiction, or a superuser for a national one) by the actions."""

    scoped_object_name = "rule"
    required_capability = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scope_for(request.user).can_anywhere(Capability.MANAGE_RULES):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_scoped_object(self):
        return selectors.rule_get_for_user(self.kind.model, user=self.request.user, pk=self.kwargs["pk"])

    @cached_property
    def may_change(self) -> bool:
        return selectors.user_can_change_rule(user=self.request.user, jurisdiction=self.rule.jurisdiction)

    def get_context_data(self, **kwargs):
        urls = {"url_detail": self.kind.url("detail", self.rule.pk), "url_version": self.kind.url("version", self.rule.pk)}
        if self.kind.update is not None:
            urls["url_update"] = self.kind.url("update", self.rule.pk)
        return super().get_context_data(rule=self.rule, **urls, **kwargs)


class RuleDetailView(RuleObjectMixin, TemplateView):
    template_name = "reports/rules/rule_detail.html"

    def get_context_data(self, **kwargs):
        approved = []
        if self.kind is COMMENDATION:
            approved = list(selectors.commendation_rule_approved_lists(rule=self.rule))
        fields = [(self.kind.model._meta.get_field(name).verbose_name, _display(self.rule, name))
                  for name in self.kind.form_class.field_names if name not in ("name", "effective_from")]
        return super().get_context_data(
            fields=fields, approved_lists=approved, may_change=self.may_change,
            editable=self.may_change and self.kind.update is not None and not approved, **kwargs
        )


class CommendationRuleDetailView(RuleDetailView):
    kind = COMMENDATION


class RankingWeightsDetailView(RuleDetailView):
    kind = WEIGHTS


def _display(rule, name: str):
    value = getattr(rule, name)
    display = getattr(rule, f"get_{name}_display", None)
    if display is not None:
        return display()
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value if value not in ("", None) else "—"


class RuleFormView(RulePageMixin, FormView):
    """A form of a rule, saved by a service; a refusal shows its message on the form and saves nothing."""

    template_name = "reports/rules/rule_form.html"
    action = ""

    def get_form_class(self):
        return self.kind.form_class

    def save(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            rule = self.save(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved: %(rule)s.") % {"rule": rule})
        return redirect(self.kind.url("detail", rule.pk))

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(action=self.action, **kwargs)


class RuleCreateView(RuleFormView):
    action = "create"

    def get_form_kwargs(self):
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "units": selectors.rule_jurisdictions_for_user(user=user),
            "national": scope_for(user).is_global,
        }

    def save(self, form):
        return self.kind.create(actor=self.request.user, jurisdiction=form.cleaned_data["jurisdiction"], **form.rule_fields())


class CommendationRuleCreateView(RuleCreateView):
    kind = COMMENDATION


class RankingWeightsCreateView(RuleCreateView):
    kind = WEIGHTS


class RuleChangeView(RuleObjectMixin, RuleFormView):
    """A form starting from an existing rule: a new version from a date, or a change in place. 403 when the user
    may not change the rules of its jurisdiction (a national default, for anyone but a superuser)."""

    def get(self, request, *args, **kwargs):
        self._require_change()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._require_change()
        return super().post(request, *args, **kwargs)

    def _require_change(self):
        if not self.may_change:
            raise PermissionDenied

    def get_initial(self):
        return {name: getattr(self.rule, name) for name in self.kind.form_class.field_names}


class RuleVersionView(RuleChangeView):
    action = "version"

    def get_initial(self):
        return {**super().get_initial(), "effective_from": None}

    def save(self, form):
        return self.kind.version(actor=self.request.user, source=self.rule, **form.rule_fields())


class CommendationRuleVersionView(RuleVersionView):
    kind = COMMENDATION


class RankingWeightsVersionView(RuleVersionView):
    kind = WEIGHTS


class CommendationRuleUpdateView(RuleChangeView):
    """A change in place, while no approved list used the rule; afterwards the page sends to a new version."""

    kind = COMMENDATION
    action = "update"

    def get(self, request, *args, **kwargs):
        self._require_change()
        if selectors.commendation_rule_approved_lists(rule=self.rule).exists():
            messages.info(request, _(
                "An approved commendation list was decided by this rule: it is never changed in place. "
                "Make a new version from a date instead."
            ))
            return redirect(self.kind.url("version", self.rule.pk))
        return super().get(request, *args, **kwargs)

    def save(self, form):
        return self.kind.update(actor=self.request.user, rule=self.rule, **form.rule_fields())
