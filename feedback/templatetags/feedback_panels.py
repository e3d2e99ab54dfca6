"""Panels of citizen feedback that pages of lower apps show (a lower app never imports this one): ``{% load
feedback_panels %}`` then ``{% unit_feedback_panel unit %}`` on a unit's page, ``{% staff_feedback_panel staff %}`` on a
staff member's."""

from django import template

from feedback.figures import unit_feedback_months
from feedback.staff.selectors import staff_feedback_cases

register = template.Library()


@register.inclusion_tag("feedback/partials/unit_feedback_panel.html")
def unit_feedback_panel(unit):
    """The satisfaction index and on-time rate of the unit's subtree over the last three months."""
    return {"feedback_months": unit_feedback_months(unit=unit)}


@register.inclusion_tag("feedback/partials/staff_feedback_panel.html")
def staff_feedback_panel(staff):
    """The latest citizens' praise and complaints linked to the staff member, in whichever unit they were received."""
    return {"cases": staff_feedback_cases(staff=staff)}
