"""Admin wiring for accounts: offices and regions as reference data that
administrators keep up to date."""

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import Office, Region


class RegionViewSet(ModelViewSet):
    model = Region
    icon = "site"
    form_fields = ["name", "slug"]
    list_display = ["name"]
    search_fields = ["name"]
    add_to_reference_index = False


class OfficeViewSet(ModelViewSet):
    model = Office
    icon = "home"
    form_fields = ["name", "slug", "region"]
    list_display = ["name", "region"]
    list_filter = ["region"]
    search_fields = ["name"]
    add_to_reference_index = False


class ReferenceDataGroup(ModelViewSetGroup):
    menu_label = "Offices"
    menu_icon = "site"
    menu_order = 650
    items = (OfficeViewSet, RegionViewSet)


@hooks.register("register_admin_viewset")
def register_reference_data():
    return ReferenceDataGroup()


@hooks.register("register_admin_urls")
def register_audit_log_urls():
    from django.urls import include, path

    from .admin_views import urlpatterns

    return [
        path(
            "reports/audit-log/",
            include((urlpatterns, "accounts_audit"), namespace="accounts_audit"),
        )
    ]


@hooks.register("register_reports_menu_item")
def register_audit_log_menu_item():
    from django.urls import reverse

    from .admin_views import REPORT_TITLE, AuditLogMenuItem

    return AuditLogMenuItem(
        REPORT_TITLE,
        reverse("accounts_audit:index"),
        name="audit-log",
        icon_name="history",
        order=55,
    )
