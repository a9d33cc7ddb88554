from django import template

from accounts import mfa

register = template.Library()


@register.filter
def needs_mfa_set_up(request) -> bool:
    """Whether the signed-in person must set up an authenticator before they can use
    the admin, the evaluation area or exports."""
    return mfa.needs_mfa_set_up(request)
