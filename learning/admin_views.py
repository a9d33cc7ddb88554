"""Reports → Cohort progress in the Wagtail admin: the trainers' view of each module.

An index lists every module with its funnel; a page per module shows the funnel, the
average usefulness rating and how many answered each quiz question correctly before
and after the module. Both tables download as CSV or XLSX through Wagtail's own
``SpreadsheetExportMixin`` (``?export=csv`` / ``?export=xlsx``), as Wagtail's reports
do, with every cell neutralised against formula injection. The figures are totals
from ``learning.reports``: no person is named anywhere, and counts of fewer than k
people (the evaluators' threshold) are hidden as "[c]" on the pages and in the
downloads alike.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, Table, TitleColumn
from wagtail.admin.views.reports import ReportView

from accounts.roles import Role
from common.disclosure import SUPPRESSED, default_k
from common.spreadsheets import NeutralisedSpreadsheetExport
from content.models import ModulePage

from .reports import module_funnel, module_funnels, quiz_item_analysis

REPORT_TITLE = "Cohort progress"
REPORT_ROLES = (Role.TRAINER, Role.ADMINISTRATOR)


def can_view_cohort_report(user) -> bool:
    """Admin access, and either a trainer, an administrator or a superuser."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if not user.has_perm("wagtailadmin.access_admin"):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=[role.value for role in REPORT_ROLES]).exists()


class CohortReportMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_cohort_report(request.user)


def percent_text(value: float | str | None) -> str:
    if value == SUPPRESSED:
        return SUPPRESSED
    return "–" if value is None else f"{value:g}%"


def number_text(value: float | str | None, sign: bool = False) -> str:
    if value == SUPPRESSED:
        return SUPPRESSED
    if value is None:
        return "–"
    return f"{value:+g}" if sign else f"{value:g}"


def percent_column(name: str, label: str, attribute: str) -> Column:
    return Column(name, label=label, accessor=lambda row: percent_text(getattr(row, attribute)))


def stage_column(key: str, label: str) -> Column:
    """A funnel count with its percentage of those enrolled, e.g. "5 (83.3%)"."""

    def value(funnel):
        count = getattr(funnel, key)
        share = getattr(funnel, f"{key}_percent")
        if share is None or SUPPRESSED in (count, share):
            return str(count)
        return f"{count} ({percent_text(share)})"

    return Column(key, label=label, accessor=value)


class CohortReportView(NeutralisedSpreadsheetExport, ReportView):
    """Only trainers, administrators and superusers; Wagtail has already checked
    admin access for every admin URL. Module titles and question texts are trainers'
    free text, so every downloaded cell goes through ``common.spreadsheets.neutralise``."""

    header_icon = "group"
    page_title = REPORT_TITLE

    def dispatch(self, request, *args, **kwargs):
        if not can_view_cohort_report(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def today(self) -> str:
        return timezone.localdate().isoformat()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["disclosure_k"] = default_k()
        context["suppressed"] = SUPPRESSED
        return context


class CohortIndexView(CohortReportView):
    template_name = "learning/admin/cohort_index.html"
    results_template_name = "learning/admin/cohort_index_results.html"
    index_url_name = "learning_reports:index"
    verbose_name_plural = "modules"
    columns = [
        TitleColumn(
            "title",
            label="Module",
            get_url=lambda funnel: reverse("learning_reports:module", args=[funnel.module_id]),
        ),
        Column("enrolled", label="Enrolled"),
        stage_column("baseline_done", "Baseline done"),
        stage_column("lessons_done", "Lessons done"),
        stage_column("post_done", "Post quiz done"),
        stage_column("completed", "Completed"),
        stage_column("followed_up", "Followed up"),
        Column(
            "reaction_average",
            label="Usefulness (1–5)",
            accessor=lambda funnel: number_text(funnel.reaction_average),
        ),
        Column("reaction_n", label="Ratings"),
    ]
    list_export = [
        "title",
        "enrolled",
        "baseline_done",
        "baseline_done_percent",
        "lessons_done",
        "lessons_done_percent",
        "post_done",
        "post_done_percent",
        "completed",
        "completed_percent",
        "followed_up",
        "followed_up_percent",
        "reaction_average",
        "reaction_n",
    ]
    export_headings = {
        "title": "Module",
        "enrolled": "Enrolled",
        "baseline_done": "Baseline done",
        "baseline_done_percent": "Baseline done (% of enrolled)",
        "lessons_done": "Lessons done",
        "lessons_done_percent": "Lessons done (% of enrolled)",
        "post_done": "Post-module quiz done",
        "post_done_percent": "Post-module quiz done (% of enrolled)",
        "completed": "Completed",
        "completed_percent": "Completed (% of enrolled)",
        "followed_up": "Followed up",
        "followed_up_percent": "Followed up (% of enrolled)",
        "reaction_average": "Average usefulness rating (1 to 5)",
        "reaction_n": "Usefulness ratings (n)",
    }

    def get_filename(self):
        return f"cohort-progress-{self.today()}"

    def get_queryset(self):
        return module_funnels()


class CohortModuleView(CohortReportView):
    template_name = "learning/admin/cohort_module.html"
    results_template_name = "learning/admin/cohort_module_results.html"
    paginate_by = None
    verbose_name_plural = "quiz questions"
    columns = [
        Column("position", label="No."),
        Column("text", label="Question (latest wording)"),
        Column("versions_display", label="Quiz versions"),
        percent_column("pre_pc", "Correct before", "pre_percent"),
        Column("pre_n", label="n before"),
        percent_column("post_pc", "Correct after", "post_percent"),
        Column("post_n", label="n after"),
        Column(
            "change",
            label="Change (points)",
            accessor=lambda row: number_text(row.change, sign=True),
        ),
    ]
    funnel_columns = [
        Column("label", label="Step"),
        Column("count", label="People"),
        percent_column("percent", "% of enrolled", "percent"),
    ]
    list_export = [
        "position",
        "text",
        "versions_display",
        "pre_correct",
        "pre_n",
        "pre_percent",
        "post_correct",
        "post_n",
        "post_percent",
        "change",
    ]
    export_headings = {
        "position": "Question number",
        "text": "Question (latest wording)",
        "versions_display": "Quiz versions",
        "pre_correct": "Correct before",
        "pre_n": "Answered before (n)",
        "pre_percent": "Correct before (%)",
        "post_correct": "Correct after",
        "post_n": "Answered after (n)",
        "post_percent": "Correct after (%)",
        "change": "Change (percentage points)",
    }

    @cached_property
    def module(self) -> ModulePage:
        return get_object_or_404(ModulePage, pk=self.kwargs["module_id"])

    @cached_property
    def analysis(self):
        return quiz_item_analysis(self.module)

    def get_page_subtitle(self):
        return self.module.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("learning_reports:index"), "label": REPORT_TITLE},
            {"url": "", "label": self.module.title},
        ]

    def get_index_url(self):
        return reverse("learning_reports:module", args=[self.module.pk])

    def get_filename(self):
        return f"cohort-progress-{self.module.slug}-questions-{self.today()}"

    def get_queryset(self):
        return self.analysis.questions

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.is_export:
            funnel = module_funnel(self.module)
            context["funnel"] = funnel
            context["funnel_table"] = Table(self.funnel_columns, funnel.stages)
            context["analysis"] = self.analysis
            context["module"] = self.module
        return context


urlpatterns = [
    path("", CohortIndexView.as_view(), name="index"),
    path("<int:module_id>/", CohortModuleView.as_view(), name="module"),
]
