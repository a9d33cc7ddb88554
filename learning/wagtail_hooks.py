"""Admin and page-serving wiring for the journey."""

from django.shortcuts import redirect
from wagtail import hooks

from content.models import LessonPage

from . import services
from .journey import is_before
from .models import Enrolment, Step
from .navigation import step_url


@hooks.register("before_serve_page")
def lessons_follow_the_journey(page, request, serve_args, serve_kwargs):
    """A coach reaches a lesson once the baseline is done, and each visit is saved.

    People who author content (admin access) read lessons freely.
    """
    if not isinstance(page.specific_deferred, LessonPage) or not request.user.is_authenticated:
        return None
    if request.user.has_perm("wagtailadmin.access_admin"):
        return None
    lesson = page.specific
    enrolment = (
        Enrolment.objects.select_related("module")
        .filter(user=request.user, module_id=lesson.get_parent().pk)
        .first()
    )
    if enrolment is None:
        return redirect("learning:module", module_slug=lesson.get_parent().slug)
    if is_before(enrolment.step, Step.LESSONS):
        return redirect(step_url(enrolment))
    services.record_lesson_view(enrolment, lesson)
    return None


# Reports → Cohort progress: the trainers' view of each module (learning.admin_views).


@hooks.register("register_admin_urls")
def register_cohort_report_urls():
    from django.urls import include, path

    from .admin_views import urlpatterns

    return [
        path(
            "reports/cohort-progress/",
            include((urlpatterns, "learning_reports"), namespace="learning_reports"),
        )
    ]


@hooks.register("register_reports_menu_item")
def register_cohort_report_menu_item():
    from django.urls import reverse

    from .admin_views import REPORT_TITLE, CohortReportMenuItem

    return CohortReportMenuItem(
        REPORT_TITLE,
        reverse("learning_reports:index"),
        name="cohort-progress",
        icon_name="group",
        order=50,
    )
