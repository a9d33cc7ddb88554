from django import template

from common.disclosure import default_k

register = template.Library()


@register.simple_tag
def disclosure_k() -> int:
    """The small-number threshold, so what coaches are told matches what is hidden."""
    return default_k()
