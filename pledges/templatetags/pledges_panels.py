"""Panels of pledges that pages of lower apps show (a lower app never imports this one): ``{% load pledges_panels %}``
then ``{% staff_pledge_panel staff %}`` on the staff member's page."""

from django import template

from pledges.selectors import staff_pledges

register = template.Library()


@register.inclusion_tag("pledges/partials/staff_pledges.html")
def staff_pledge_panel(staff):
    """The staff member's pledges, in whichever unit they were signed."""
    return {"pledges": staff_pledges(staff=staff)}
