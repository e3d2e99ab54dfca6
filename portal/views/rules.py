"""The rules hub (``/rules/``): for each of the user's jurisdictions, which code of conduct, scoring scheme,
commendation rule, default checklist and ranking weights are in force today, and whether each is the
jurisdiction's own, inherited from a unit above or the national default. Province administrators
(``MANAGE_RULES``) get links to the pages that manage each kind; everyone else reads it."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils import timezone
from django.views.generic import TemplateView

from portal.rule_sets import INHERITED, NATIONAL, OWN, rule_sets_for_user
from units.scope import Capability, scope_for


class RulesHubView(LoginRequiredMixin, TemplateView):
    template_name = "portal/rules.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            today=timezone.localdate(),
            rule_sets=rule_sets_for_user(user=user),
            can_manage=scope_for(user).can_anywhere(Capability.MANAGE_RULES),
            OWN=OWN, INHERITED=INHERITED, NATIONAL=NATIONAL,
            **kwargs,
        )
