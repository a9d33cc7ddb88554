from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and offices"

    def ready(self):
        from . import signals  # noqa: F401 connects the audit log's receivers


class WagtailUsersConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, showing each person's office and staff number."""

    user_viewset = "accounts.wagtail_users.UserViewSet"
