"""The landing page: what each role has to do today, gathered from every app's selectors."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import F
from django.utils import timezone
from django.views.generic import TemplateView

from evaluations.inspections.selectors import inspection_headline, overdue_actions
from evaluations.ratings.selectors import home_rating_status
from pledges.selectors import coverage_headline
from units import selectors
from units.choices import Role
from units.models import Staff, Unit
from units.scope import Capability, scope_for

HOME_OVERDUE_LIMIT = 10
# Up to this many units beneath the user's are listed one by one; past it (a city's administrator: every ward of
# both structures) the landing page sums them up by level and links to the filtered lists instead.
HOME_CHILD_LIST_LIMIT = 30


class HomeView(LoginRequiredMixin, TemplateView):
    """The landing page: the user's units and, per role, the tiles the feature pages will fill."""

    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = scope_for(self.request.user)
        assigned_ids = scope.assigned_unit_ids()
        assigned = list(
            selectors.unit_list(user=self.request.user, structure=selectors.ALL_STRUCTURES).filter(pk__in=assigned_ids)
        )
        # Today's units beneath the user's, and the former ones only where they hold records (their history).
        children = list(
            selectors.unit_list(user=self.request.user)
            .filter(parent_id__in=assigned_ids)
            .order_by(F("valid_to").desc(nulls_first=True), "name")
        )
        staff = Staff.objects.visible_to(self.request.user).active()
        summary = _child_summary(children) if len(children) > HOME_CHILD_LIST_LIMIT else None
        context.update(
            scope=scope,
            assigned_units=assigned,
            child_units=[] if summary else children,
            child_summary=summary,
            child_unit_count=len(children),
            today=timezone.localdate(),
            active_staff_count=staff.count(),
            visible_unit_count=Unit.objects.visible_to(self.request.user).in_force_or_with_records().count(),
            is_district_office=scope.has_role(Role.DISTRICT_OFFICE, Role.CITY_ADMIN),
            pledge_headline=coverage_headline(user=self.request.user),
            rating_status=home_rating_status(user=self.request.user, units=assigned),
            **self._inspection_context(scope),
        )
        return context

    def _inspection_context(self, scope) -> dict:
        """Visits this quarter and overdue corrective actions, read through the secrecy-aware selectors: a
        planned surprise visit is never counted for the inspected unit."""
        user = self.request.user
        headline = inspection_headline(user=user)
        follows_up = scope.can_anywhere(Capability.MANAGE_INSPECTIONS) or scope.can_anywhere(Capability.INSPECT)
        own_overdue = []
        if not follows_up and headline["overdue_actions"]:
            # The inspected unit's own overdue actions, shown as a warning (a few; the list page has the rest).
            own_overdue = list(overdue_actions(user=user)[:HOME_OVERDUE_LIMIT])
        return {
            "visits_this_quarter": headline["visits_this_quarter"],
            "overdue_action_count": headline["overdue_actions"] if follows_up else None,
            "overdue_action_total": headline["overdue_actions"],
            "own_overdue_actions": own_overdue,
        }


def _child_summary(children) -> list[dict]:
    """The units beneath the user's, counted by structure and kind: how many, how many have no active staff yet,
    and the unit list that shows them (today's units first, then the former ones)."""
    rows: dict[tuple, dict] = {}
    for unit in children:
        key = (unit.is_current, unit.structure, unit.kind)
        row = rows.setdefault(key, {
            "is_current": unit.is_current, "structure": unit.structure, "kind": unit.kind,
            "kind_label": unit.get_kind_display(), "structure_label": unit.get_structure_display(),
            "count": 0, "without_staff": 0, "staff": 0,
        })
        row["count"] += 1
        row["staff"] += unit.active_staff_count
        row["without_staff"] += unit.active_staff_count == 0
    return sorted(rows.values(), key=lambda row: (not row["is_current"], row["structure"], row["kind_label"]))
