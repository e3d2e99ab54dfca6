"""Panels of citizen feedback that pages of lower apps show (a lower app never imports this one): ``{% load
feedback_panels %}`` then ``{% unit_feedback_panel unit %}`` on a unit's page."""

from django import template

from feedback.figures import unit_feedback_months

register = template.Library()


@register.inclusion_tag("feedback/partials/unit_feedback_panel.html")
def unit_feedback_panel(unit):
    """The satisfaction index and on-time rate of the unit's subtree over the last three months."""
    return {"feedback_months": unit_feedback_months(unit=unit)}
