"""Reports → Audit log in the Wagtail admin: sign-ins, two-factor, role and office
changes, publications, exports and retention runs, newest first, filterable by kind
and date.

Read-only, for people holding ``accounts.view_audit_log`` (the Administrator role).
The rows themselves cannot be changed or deleted (``accounts.models.AuditEvent``).
Exports have their full record under Reports → Export audit; the row here names it.
"""

from __future__ import annotations

from collections import OrderedDict

import django_filters
from django.core.exceptions import PermissionDenied
from django.forms import CheckboxSelectMultiple
from django.urls import path
from django.utils import timezone
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView
from wagtail.coreutils import multigetattr

from common.spreadsheets import NeutralisedSpreadsheetExport

from .models import AuditEvent, AuditKind

REPORT_TITLE = "Audit log"
PERMISSION = "accounts.view_audit_log"


def may_use_admin_report(user, permission: str) -> bool:
    """An admin report needs admin access and the report's own permission: the one
    rule for the audit logs' menu items and views."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm("wagtailadmin.access_admin")
        and user.has_perm(permission)
    )


def can_view_audit_log(user) -> bool:
    return may_use_admin_report(user, PERMISSION)


class AuditLogMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_audit_log(request.user)


def detail_text(event: AuditEvent) -> str:
    """The detail as short plain English: ``key: value`` pairs."""
    parts = []
    for key, value in (event.detail or {}).items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        parts.append(f"{key.replace('_', ' ')}: {'none' if shown is None else shown}")
    return "; ".join(parts)


def actor_text(event: AuditEvent) -> str:
    if event.actor_label:
        return event.actor_label
    return "system" if event.actor_id is None else f"account {event.actor_id}"


def subject_text(event: AuditEvent) -> str:
    if event.subject_label:
        return event.subject_label
    return f"account {event.subject_id}" if event.subject_id else ""


class AuditLogFilterSet(WagtailFilterSet):
    kind = django_filters.MultipleChoiceFilter(
        label="Kind", choices=AuditKind.choices, widget=CheckboxSelectMultiple
    )
    created_at = django_filters.DateFromToRangeFilter(label="Date", widget=DateRangePickerWidget)

    class Meta:
        model = AuditEvent
        fields = ["kind", "created_at"]


class AuditLogView(NeutralisedSpreadsheetExport, ReportView):
    header_icon = "history"
    page_title = REPORT_TITLE
    index_url_name = "accounts_audit:index"
    index_results_url_name = "accounts_audit:index_results"
    verbose_name_plural = "audit log entries"
    filterset_class = AuditLogFilterSet
    paginate_by = 50
    columns = [
        DateColumn("created_at", label="When"),
        Column("kind", label="What", accessor="get_kind_display"),
        Column("actor_label", label="Who", accessor=actor_text),
        Column("subject_label", label="Account", accessor=subject_text),
        Column("ip_address", label="Network", accessor=lambda event: event.ip_address or ""),
        Column("detail", label="Detail", accessor=detail_text),
    ]
    list_export = ["created_at", "get_kind_display", "actor", "subject", "ip_address", "detail"]
    export_headings = {
        "created_at": "When",
        "get_kind_display": "What",
        "actor": "Who",
        "subject": "Account",
        "ip_address": "Network",
        "detail": "Detail",
    }

    def dispatch(self, request, *args, **kwargs):
        if not can_view_audit_log(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_filename(self):
        return f"audit-log-{timezone.localdate().isoformat()}"

    def get_queryset(self):
        return AuditEvent.objects.order_by("-created_at", "-pk")

    def to_row_dict(self, item):
        special = {"actor": actor_text, "subject": subject_text, "detail": detail_text}
        return OrderedDict(
            (field, special[field](item) if field in special else multigetattr(item, field))
            for field in self.list_export
        )


urlpatterns = [
    path("", AuditLogView.as_view(), name="index"),
    path("results/", AuditLogView.as_view(results_only=True), name="index_results"),
]
