"""Panels of evaluations that pages of lower apps show (a lower app never imports this one): ``{% load
evaluations_panels %}`` then ``{% staff_rating_panel staff %}`` on the staff member's page."""

from django import template

from evaluations.ratings.selectors import staff_monthly_history, staff_rating_changes

register = template.Library()


@register.inclusion_tag("evaluations/partials/staff_history.html")
def staff_rating_panel(staff):
    """The staff member's grades of the last 12 months (with that month's violations) and the latest changes to
    their points."""
    return {"rating_history": staff_monthly_history(staff=staff), "rating_changes": staff_rating_changes(staff=staff)}
