from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and offices"


class WagtailUsersConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, showing each person's office and staff number."""

    user_viewset = "accounts.wagtail_users.UserViewSet"
