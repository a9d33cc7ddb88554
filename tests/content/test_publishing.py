"""Publishing rules, through the admin: a module goes live only when a coach could
finish it, and nothing a live module needs can be taken away from under it."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from accounts.roles import Role
from assessments.models import ConfidenceSurvey, Quiz
from content.models import NO_LESSONS, LessonPage, ModuleNotReady, ModulePage
from tests.assessments.builders import make_quiz, make_survey, survey_item
from tests.factories import LessonPageFactory, ModulePageFactory, UserFactory

pytestmark = pytest.mark.django_db

COMMENTS = {
    "comments-TOTAL_FORMS": 0,
    "comments-INITIAL_FORMS": 0,
    "comments-MIN_NUM_FORMS": 0,
    "comments-MAX_NUM_FORMS": 1000,
}


@pytest.fixture
def trainer_client(client, db):
    client.force_login(UserFactory(role=Role.TRAINER))
    return client


@pytest.fixture
def quiz(db):
    return make_quiz(title="Disclosure quiz")


@pytest.fixture
def survey(db):
    return make_survey()


def module_form(quiz=None, survey=None, **overrides):
    data = {
        "title": "Talking about drugs",
        "slug": "talking-about-drugs",
        "summary": "How to open the conversation.",
        "estimated_minutes": 30,
        "audience": "Work coaches",
        "introduction": rich_text("<p>Why this matters.</p>"),
        "learning_outcomes": streamfield([("outcome", "Ask with permission")]),
        "uses_quiz": "on",
        "quiz": quiz.pk if quiz else "",
        "uses_survey": "on",
        "confidence_survey": survey.pk if survey else "",
        "pass_mark_percent": 70,
        "post_quiz_attempts": 3,
        "follow_up_days": 56,
    }
    data.update(overrides)
    return {**nested_form_data({k: v for k, v in data.items() if v is not None}), **COMMENTS}


def publish(client, module, data):
    return client.post(
        reverse("wagtailadmin_pages:edit", args=[module.pk]),
        {**data, "action-publish": "action-publish"},
        follow=True,
    )


def draft_module(module_index, **fields):
    """A module saved as a draft, as a trainer would first save one."""
    module = ModulePageFactory(
        parent=module_index, slug="talking-about-drugs", live=False, **fields
    )
    module.save_revision()
    return module


def text(response) -> str:
    return response.content.decode()


# The honest flow ------------------------------------------------------------------


def test_a_new_module_is_saved_as_a_draft_then_published_once_it_has_a_lesson(
    trainer_client, module_index, quiz, survey
):
    add = reverse("wagtailadmin_pages:add", args=["content", "modulepage", module_index.pk])

    # Publishing straight away is refused with the reason, and nothing is created.
    response = trainer_client.post(
        add, {**module_form(quiz, survey), "action-publish": "action-publish"}
    )
    assert response.status_code == 200
    assert "has no published lessons" in text(response)
    assert not ModulePage.objects.exists()

    # Saved as a draft, it is kept.
    response = trainer_client.post(add, module_form(quiz, survey))
    module = ModulePage.objects.get()
    assert not module.live

    # Still refused while its only lesson is a draft.
    LessonPageFactory(parent=module, live=False)
    response = publish(trainer_client, module, module_form(quiz, survey))
    assert NO_LESSONS in text(response)
    module.refresh_from_db()
    assert not module.live

    # With a live lesson it goes live.
    LessonPageFactory(parent=module)
    response = publish(trainer_client, module, module_form(quiz, survey))
    module.refresh_from_db()
    assert module.live, text(response)[:2000]
    assert module.can_be_finished()


# Each broken module, refused with a plain message ---------------------------------


def test_a_module_with_a_draft_quiz_is_not_published(trainer_client, module_index, survey):
    draft_quiz = make_quiz(title="Mistake test quiz", publish=False)
    module = draft_module(module_index)
    LessonPageFactory(parent=module)
    response = publish(trainer_client, module, module_form(draft_quiz, survey))
    assert "The quiz ‘Mistake test quiz’ is not published" in text(response)
    module.refresh_from_db()
    assert not module.live


def test_a_module_with_a_draft_survey_is_not_published(trainer_client, module_index, quiz):
    draft_survey = make_survey(publish=False)
    module = draft_module(module_index)
    LessonPageFactory(parent=module)
    response = publish(trainer_client, module, module_form(quiz, draft_survey))
    assert "The confidence survey ‘A survey’ is not published" in text(response)
    module.refresh_from_db()
    assert not module.live


def test_a_module_that_measures_needs_its_quiz_and_survey_chosen(trainer_client, module_index):
    module = draft_module(module_index)
    LessonPageFactory(parent=module)
    response = publish(trainer_client, module, module_form())
    assert "Choose the module’s quiz, or untick ‘Coaches take a knowledge quiz’" in text(response)
    assert "Choose the module’s confidence survey" in text(response)
    module.refresh_from_db()
    assert not module.live


def test_a_module_without_a_quiz_or_survey_says_so_and_publishes(trainer_client, module_index):
    module = draft_module(module_index)
    LessonPageFactory(parent=module)
    response = publish(trainer_client, module, module_form(uses_quiz=None, uses_survey=None))
    module.refresh_from_db()
    assert module.live, text(response)[:2000]
    assert not module.has_quiz and not module.has_survey


def test_a_quiz_on_a_module_that_says_no_quiz_is_refused(trainer_client, module_index, quiz):
    module = draft_module(module_index)
    LessonPageFactory(parent=module)
    response = publish(trainer_client, module, module_form(quiz, uses_quiz=None, uses_survey=None))
    assert "Remove the quiz, or tick" in text(response)
    module.refresh_from_db()
    assert not module.live


def test_every_other_route_to_live_is_refused_too(trainer_client, module_index, quiz, survey):
    module = draft_module(module_index, quiz=quiz, confidence_survey=survey)

    # Bulk publish from the page listing.
    url = (
        reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
        + f"?id={module.pk}&next=/admin/"
    )
    response = trainer_client.post(url, {"include_descendants": ""}, follow=True)
    assert NO_LESSONS in text(response)
    module.refresh_from_db()
    assert not module.live

    # Anything else (workflow approval, code) ends in ModulePage.publish.
    with pytest.raises(ModuleNotReady):
        module.get_latest_revision().publish()

    # Scheduled publishing leaves the module as it is and stops retrying.
    revision = module.get_latest_revision()
    revision.approved_go_live_at = timezone.now()
    revision.save()
    from django.core.management import call_command

    call_command("publish_scheduled")
    module.refresh_from_db()
    revision.refresh_from_db()
    assert not module.live
    assert revision.approved_go_live_at is None


# What a live module needs stays ---------------------------------------------------


@pytest.fixture
def live_module(module_index, quiz, survey):
    module = ModulePageFactory(
        parent=module_index, title="Live module", quiz=quiz, confidence_survey=survey
    )
    lesson = LessonPageFactory(parent=module, title="Only lesson")
    return module, lesson


def test_the_last_live_lesson_of_a_live_module_cannot_be_unpublished_or_deleted(
    trainer_client, live_module
):
    module, lesson = live_module
    response = trainer_client.post(
        reverse("wagtailadmin_pages:unpublish", args=[lesson.pk]), follow=True
    )
    assert "‘Live module’ would have no published lessons left" in text(response)
    assert LessonPage.objects.get(pk=lesson.pk).live

    admin_client = Client()
    admin_client.force_login(UserFactory(role=Role.ADMINISTRATOR))  # only they delete
    response = admin_client.post(
        reverse("wagtailadmin_pages:delete", args=[lesson.pk]), follow=True
    )
    assert "would have no published lessons left" in text(response)
    assert LessonPage.objects.filter(pk=lesson.pk).exists()

    url = (
        reverse("wagtail_bulk_action", args=["wagtailcore", "page", "unpublish"])
        + f"?id={lesson.pk}&next=/admin/"
    )
    response = trainer_client.post(url, {}, follow=True)
    assert "would have no published lessons left" in text(response)
    assert LessonPage.objects.get(pk=lesson.pk).live

    # With a second lesson live, one may go.
    LessonPageFactory(parent=module)
    trainer_client.post(reverse("wagtailadmin_pages:unpublish", args=[lesson.pk]))
    assert not LessonPage.objects.get(pk=lesson.pk).live


def test_a_quiz_or_survey_a_live_module_uses_cannot_be_unpublished(
    trainer_client, live_module, quiz, survey
):
    for instrument in (quiz, survey):
        viewset = instrument.snippet_viewset
        response = trainer_client.post(
            reverse(viewset.get_url_name("unpublish"), args=[instrument.pk]), follow=True
        )
        assert "cannot be unpublished" in text(response)
        assert "Live module" in text(response)
        instrument.refresh_from_db()
        assert instrument.live


def test_a_quiz_or_survey_a_module_uses_cannot_be_deleted(trainer_client, live_module, quiz):
    viewset = quiz.snippet_viewset
    response = trainer_client.post(
        reverse(viewset.get_url_name("delete"), args=[quiz.pk]), follow=True
    )
    assert "Nothing has been deleted" in text(response)
    assert "‘Disclosure quiz’ is used by ‘Live module’" in text(response)
    assert Quiz.objects.filter(pk=quiz.pk).exists()
    assert quiz.versions.exists()


def test_an_unused_quiz_can_still_be_unpublished(trainer_client, quiz):
    viewset = quiz.snippet_viewset
    trainer_client.post(reverse(viewset.get_url_name("unpublish"), args=[quiz.pk]))
    quiz.refresh_from_db()
    assert not quiz.live


# Choosers ---------------------------------------------------------------------------


def test_choosers_mark_drafts_and_the_chosen_draft(trainer_client, module_index, quiz):
    make_quiz(title="Mistake test quiz", publish=False)
    chooser = trainer_client.get(reverse("wagtailsnippetchoosers_assessments_quiz:choose"))
    html = chooser.json()["html"]
    assert "Mistake test quiz (Draft – not yet published)" in html
    assert "Disclosure quiz (" not in html  # live ones are not marked

    draft = Quiz.objects.get(title="Mistake test quiz")
    module = draft_module(module_index, quiz=draft)
    edit = trainer_client.get(reverse("wagtailadmin_pages:edit", args=[module.pk]))
    assert "Mistake test quiz (Draft – not yet published)" in text(edit)


# A failed create leaves nothing ---------------------------------------------------


def survey_form(items):
    return nested_form_data(
        {
            "title": "Mistake test survey",
            "key": "mistake-test-survey",
            "introduction": "",
            "stem": "How confident do you feel about…",
            "scale": "confidence_5",
            "then_test_wording": "Thinking back…",
            "items": streamfield(items),
        }
    )


def test_a_survey_without_statements_is_not_saved_even_as_a_draft(trainer_client):
    add = reverse("wagtailsnippets_assessments_confidencesurvey:add")
    response = trainer_client.post(add, {**survey_form([]), "action-publish": "action-publish"})
    assert response.status_code == 200
    assert "Add at least one statement" in text(response)
    # Saving a draft, and the editor's background autosave, store nothing either.
    trainer_client.post(add, survey_form([]))
    autosave = trainer_client.post(add, survey_form([]), HTTP_ACCEPT="application/json")
    assert autosave.status_code == 400
    # A statement with its text left blank is not a draft worth keeping either.
    blank = [("item", {"statement": "", "competency": "", "reverse_coded": ""})]
    trainer_client.post(add, survey_form(blank), HTTP_ACCEPT="application/json")
    assert not ConfidenceSurvey.objects.exists()

    # A complete one is kept.
    whole = [
        ("item", {"statement": "Asking about drug use", "competency": "", "reverse_coded": ""})
    ]
    trainer_client.post(add, survey_form(whole))
    assert ConfidenceSurvey.objects.filter(live=False).count() == 1


def test_a_draft_survey_is_never_offered_where_a_live_one_is_needed(module_index, quiz):
    draft = make_survey(items=[survey_item()], publish=False)
    module = ModulePageFactory(parent=module_index, quiz=quiz, confidence_survey=draft)
    LessonPageFactory(parent=module)
    assert not module.can_be_finished()
    assert ("confidence_survey", "The confidence survey ‘A survey’ is not published. Publish it "
            "under Assessments first, or choose a published confidence survey.") in (
        module.finish_problems()
    )  # fmt: skip


# The authoring guide ----------------------------------------------------------------


def test_the_authoring_guide_is_in_the_admin_help_menu(trainer_client):
    home = text(trainer_client.get(reverse("wagtailadmin_home")))
    assert reverse("authoring_guide") in home
    guide = trainer_client.get(reverse("authoring_guide"))
    assert guide.status_code == 200
    assert "Writing modules, quizzes and surveys" in text(guide)
    assert "<h2>Publishing a module</h2>" in text(guide)
