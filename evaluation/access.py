"""Who may see the evaluator area.

Evaluation figures and exports are for people who hold the Evaluator role (or have
been given its permissions explicitly). Superuser status alone is not enough: an
administrator who needs the figures is given the role like anyone else, so every
person who can see them shows up in the role's membership.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

VIEW = "view_evaluation"
EXPORT = "export_evaluation"


def holds(user, codename: str) -> bool:
    """Whether ``user`` was granted ``accounts.<codename>`` through a group or
    directly (superuser status does not count)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return (
        user.groups.filter(
            permissions__content_type__app_label="accounts", permissions__codename=codename
        ).exists()
        or user.user_permissions.filter(
            content_type__app_label="accounts", codename=codename
        ).exists()
    )


def evaluator_required(codename: str = VIEW):
    """Sign-in first, then a 403 for anyone without the permission."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not holds(request.user, codename):
                raise PermissionDenied("Only evaluators can see this.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
