"""Reports → Export audit in the Wagtail admin: every export made, newest first.

Read-only, for people holding ``accounts.view_export_audit`` (the Administrator role).
The rows themselves cannot be changed or deleted (``evaluation.models.ExportAudit``).
"""

from __future__ import annotations

from collections import OrderedDict

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils import timezone
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView
from wagtail.coreutils import multigetattr

from accounts.admin_views import may_use_admin_report
from common.spreadsheets import NeutralisedSpreadsheetExport

from .models import ExportAudit

REPORT_TITLE = "Export audit"
PERMISSION = "accounts.view_export_audit"


def can_view_export_audit(user) -> bool:
    return may_use_admin_report(user, PERMISSION)


class ExportAuditMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_export_audit(request.user)


def filters_text(audit: ExportAudit) -> str:
    filters = audit.filters or {}
    modules = filters.get("modules") or "all"
    modules = modules if isinstance(modules, str) else ", ".join(modules)
    since = filters.get("started_since") or "any day"
    until = filters.get("started_until") or "any day"
    return f"Modules: {modules}; started {since} to {until}"


class ExportAuditView(NeutralisedSpreadsheetExport, ReportView):
    header_icon = "list-ul"
    page_title = REPORT_TITLE
    index_url_name = "evaluation_audit:index"
    verbose_name_plural = "exports"
    paginate_by = 50
    columns = [
        DateColumn("created_at", label="When"),
        Column("actor", label="Who"),
        Column("source", label="From", accessor="get_source_display"),
        Column("format", label="Format", accessor="get_format_display"),
        Column("key_id", label="Key"),
        Column("filters", label="Filters", accessor=filters_text),
        Column("row_count", label="Rows"),
        Column("people", label="People"),
    ]
    list_export = [
        "created_at",
        "actor",
        "get_source_display",
        "get_format_display",
        "key_id",
        "filters_text",
        "row_count",
        "people",
        "sha256",
    ]
    export_headings = {
        "created_at": "When",
        "actor": "Who",
        "get_source_display": "From",
        "get_format_display": "Format",
        "key_id": "Key id",
        "filters_text": "Filters",
        "row_count": "Rows",
        "people": "People",
        "sha256": "SHA-256",
    }

    def dispatch(self, request, *args, **kwargs):
        if not can_view_export_audit(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_filename(self):
        return f"export-audit-{timezone.localdate().isoformat()}"

    def get_queryset(self):
        return ExportAudit.objects.select_related("user").order_by("-created_at", "-pk")

    def to_row_dict(self, item):
        return OrderedDict(
            (field, filters_text(item) if field == "filters_text" else multigetattr(item, field))
            for field in self.list_export
        )


urlpatterns = [path("", ExportAuditView.as_view(), name="index")]
