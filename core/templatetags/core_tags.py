"""Small template helpers shared by every app."""

from django import template

from core.text import place_name as _place_name

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (keeps filters across pages)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.filter
def place_name(name) -> str:
    """A unit's name as the place before a document's date: "Quận Thanh Xuân" → "Thanh Xuân"."""
    return _place_name(str(name or ""))
