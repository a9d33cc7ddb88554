"""Showing figures: the same rules as the text output of ``evaluation_report``."""

from django import template

from evaluation.serialise import show, show_p

register = template.Library()


@register.filter
def figure(value):
    """A figure, "[c]" when suppressed, "–" when it does not exist."""
    return show(value)


@register.filter
def p_value(value):
    return show_p(value)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
