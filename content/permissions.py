"""Who may delete pages: one rule for every admin route that deletes.

Wagtail has no delete permission for pages of its own: whoever may change and publish
a page may delete it if it has no children. Coach Academy keeps deleting for
administrators, who hold ``delete_page`` on the page tree
(``content/migrations/0002_authoring_permissions.py``), and superusers.
"""

from wagtail.models import Page


def may_delete_page(user, page: Page) -> bool:
    """True if ``user`` holds ``wagtailcore.delete_page`` on ``page`` (granted on it or
    on one of its ancestors) or is a superuser. Wagtail's own checks still apply."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return "delete" in page.permissions_for_user(user).permissions


REFUSAL = "You do not have permission to delete pages. Ask an administrator to delete it."
