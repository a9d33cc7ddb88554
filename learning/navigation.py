"""Where each step of the journey lives."""

from django.urls import reverse

from assessments.models import Timepoint

from .models import Enrolment, Step

SURVEY_TIMEPOINT = {
    Step.PRE_SURVEY: Timepoint.PRE,
    Step.POST_SURVEY: Timepoint.POST,
    Step.FOLLOW_UP_DUE: Timepoint.FOLLOW_UP,
}
QUIZ_TIMEPOINT = {Step.PRE_QUIZ: Timepoint.PRE, Step.POST_QUIZ: Timepoint.POST}


def step_url(enrolment: Enrolment) -> str:
    slug = enrolment.module.slug
    step = Step(enrolment.step)
    if step == Step.PRIVACY:
        return reverse("learning:privacy", args=[slug])
    if step in SURVEY_TIMEPOINT:
        return reverse("learning:survey", args=[slug, SURVEY_TIMEPOINT[step]])
    if step in QUIZ_TIMEPOINT:
        return reverse("learning:quiz", args=[slug, QUIZ_TIMEPOINT[step]])
    if step == Step.LESSONS:
        return reverse("learning:lessons", args=[slug])
    return reverse("learning:completed", args=[slug])
