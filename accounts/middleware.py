"""Guards for the admin and the evaluation area, run on every request after the
person is known.

* Someone signed in without admin access who opens an admin address is refused with
  the service's 403 page, in one response. (Wagtail would send them to the sign-in
  page, which sends a signed-in person straight back: a loop.)
* Someone whose role needs two-factor authentication, and who has not set it up, is
  sent to set up an authenticator before any admin, evaluation or export page.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from . import mfa


class SignedInAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and mfa.is_protected_path(request.path):
            if request.path.startswith(reverse("wagtailadmin_home")) and not user.has_perm(
                "wagtailadmin.access_admin"
            ):
                raise PermissionDenied
            if mfa.needs_mfa_set_up(request):
                return redirect("mfa_activate_totp")
        return self.get_response(request)
