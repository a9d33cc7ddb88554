"""A coach is never enrolled in a module they could not finish, a module without a
quiz or survey skips those steps honestly, and a certificate needs lessons read."""

import pytest
from django.urls import reverse
from django.utils import timezone

from learning import services
from learning.models import Enrolment, Step
from tests.assessments.builders import make_quiz, make_survey
from tests.factories import LessonPageFactory, ModulePageFactory

pytestmark = pytest.mark.django_db


def start_page(client, module):
    return client.get(reverse("learning:module", args=[module.slug]))


def test_a_module_with_no_lessons_cannot_be_started(coach_client, coach, module_index):
    module = ModulePageFactory(
        parent=module_index, slug="empty", quiz=make_quiz(), confidence_survey=make_survey()
    )
    page = start_page(coach_client, module).content.decode()
    assert "You cannot start this module yet" in page
    assert "Start this module" not in page

    response = coach_client.post(reverse("learning:module", args=[module.slug]))
    assert response.status_code == 409
    assert "You cannot start this module yet" in response.content.decode()
    assert not Enrolment.objects.exists()
    with pytest.raises(services.ModuleCannotBeFinished):
        services.enrol(coach, module)
    assert not Enrolment.objects.exists()

    # My learning does not offer it.
    dashboard = coach_client.get(reverse("learning:dashboard")).content.decode()
    assert module.title not in dashboard


def test_a_module_whose_quiz_is_a_draft_cannot_be_started(coach_client, module_index):
    module = ModulePageFactory(
        parent=module_index,
        slug="draft-quiz",
        quiz=make_quiz(publish=False),
        confidence_survey=make_survey(),
    )
    LessonPageFactory(parent=module)
    coach_client.post(reverse("learning:module", args=[module.slug]))
    assert not Enrolment.objects.exists()
    assert module.title not in coach_client.get(reverse("learning:dashboard")).content.decode()


def test_the_start_page_shows_the_introduction_outcomes_and_lesson_count(coach_client, disclosure):
    page = start_page(coach_client, disclosure).content.decode()
    assert "By the end of this module you will be able to" in page
    for outcome in disclosure.outcomes:
        assert outcome.replace("'", "&#x27;") in page
    lessons = disclosure.lessons().count()
    assert f"Read the {lessons} lessons" in page


def test_a_module_without_quiz_or_survey_goes_from_lessons_to_its_certificate(
    coach_client, coach, module_index
):
    module = ModulePageFactory(
        parent=module_index, slug="reading-only", uses_quiz=False, uses_survey=False
    )
    lesson = LessonPageFactory(parent=module)
    start = start_page(coach_client, module).content.decode()
    assert "quiz" not in start.lower().split("what you will do")[1]
    assert "confident" not in start.lower().split("what you will do")[1]

    coach_client.post(reverse("learning:module", args=[module.slug]))
    response = coach_client.post(
        reverse("learning:privacy", args=[module.slug]), {"take_part": "yes"}
    )
    assert response["Location"] == reverse("learning:lessons", args=[module.slug])
    coach_client.get(lesson.url)
    response = coach_client.post(reverse("learning:lessons", args=[module.slug]))
    enrolment = Enrolment.objects.get(user=coach)
    assert enrolment.step == Step.COMPLETED
    assert enrolment.certificate_code
    assert enrolment.follow_up_due_on is None  # no survey, no follow-up
    assert reverse("learning:quiz", args=[module.slug, "pre"]) not in str(response)
    assert coach_client.get(reverse("learning:quiz", args=[module.slug, "pre"])).status_code == 404


def test_no_certificate_for_a_module_with_nothing_to_complete(coach_client, coach, module_index):
    """A coach already at the lessons of a module whose lessons have all gone (say, by
    scheduled expiry) is told so, and nothing moves them on to a certificate."""
    module = ModulePageFactory(
        parent=module_index, slug="emptied", uses_quiz=False, uses_survey=False
    )
    enrolment = Enrolment.objects.create(
        user=coach, module=module, step=Step.LESSONS, started_at=timezone.now()
    )
    page = coach_client.get(reverse("learning:lessons", args=[module.slug])).content.decode()
    assert "This module has no lessons at the moment" in page
    assert "Continue" not in page

    coach_client.post(reverse("learning:lessons", args=[module.slug]))
    with pytest.raises(services.LessonsNotFinished):
        services.finish_lessons(enrolment)
    enrolment.refresh_from_db()
    assert enrolment.step == Step.LESSONS
    assert enrolment.completed_at is None and enrolment.certificate_code is None
    assert coach_client.get(reverse("learning:certificate", args=[module.slug])).status_code == 404


def test_the_survey_shows_its_question_above_the_statements(walker):
    walker.start()
    walker.privacy()
    html = walker.client.get(walker.url("survey", "pre")).content.decode()
    assert "How confident do you feel about…" in html
    assert '<span class="govuk-visually-hidden">How confident do you feel about… </span>' in html
