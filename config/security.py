"""The Content-Security-Policy middleware: one policy for the service's pages, a looser
one for the Wagtail admin.

django-csp sets ``CONTENT_SECURITY_POLICY`` on every response. Under the admin's URL
(found by reversing ``wagtailadmin_home``, so it follows ``config/urls.py``) the
policy is ``ADMIN_CONTENT_SECURITY_POLICY`` instead: Wagtail's widgets and panels
write inline scripts and style attributes, and a policy that breaks the admin is worse
than none. A view can still set its own policy with django-csp's decorators, which win
over both.
"""

from __future__ import annotations

from functools import cache

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.urls import reverse


@cache
def admin_prefix() -> str:
    return reverse("wagtailadmin_home")


def is_admin_path(path: str) -> bool:
    return path.startswith(admin_prefix())


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and is_admin_path(request.path_info):
            parts.config = dict(settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"])
        return parts
