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
