"""Admin wiring for evaluation: Reports → Export audit (``evaluation.admin_views``)."""

from wagtail import hooks


@hooks.register("register_admin_urls")
def register_export_audit_urls():
    from django.urls import include, path

    from .admin_views import urlpatterns

    return [
        path(
            "reports/export-audit/",
            include((urlpatterns, "evaluation_audit"), namespace="evaluation_audit"),
        )
    ]


@hooks.register("register_reports_menu_item")
def register_export_audit_menu_item():
    from django.urls import reverse

    from .admin_views import REPORT_TITLE, ExportAuditMenuItem

    return ExportAuditMenuItem(
        REPORT_TITLE,
        reverse("evaluation_audit:index"),
        name="export-audit",
        icon_name="list-ul",
        order=60,
    )
