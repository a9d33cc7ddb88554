"""Trainers author quizzes and surveys in the Wagtail admin."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, streamfield

from accounts.roles import Role
from assessments.models import ConfidenceSurvey, Quiz
from assessments.services import issue_token, load_quiz_version, submit_quiz
from tests.factories import UserFactory


def option(text, correct, feedback):
    return {"text": text, "correct": "on" if correct else "", "feedback": feedback}


def quiz_form(question_text="Which response asks permission?"):
    return nested_form_data(
        {
            "title": "Admin quiz",
            "key": "admin-quiz",
            "introduction": "Made in the admin.",
            "questions": streamfield(
                [
                    (
                        "scenario",
                        {
                            "case": "Sam says it was a rough weekend.",
                            "question": question_text,
                            "options": streamfield(
                                [
                                    (
                                        "item",
                                        option(
                                            "Would you like to tell me more?",
                                            True,
                                            "Yes: open and permission-seeking.",
                                        ),
                                    ),
                                    (
                                        "item",
                                        option("Were you drinking?", False, "Closed and assuming."),
                                    ),
                                ]
                            ),
                            "explanation": "Asking permission keeps Sam in control.",
                        },
                    ),
                    (
                        "true_false",
                        {
                            "statement": "Mentors decide sanctions.",
                            "answer": "",
                            "feedback_true": "No: mentors make no benefit decisions.",
                            "feedback_false": "Right: they do not.",
                            "explanation": "Decisions stay with DWP.",
                        },
                    ),
                ]
            ),
        }
    )


@pytest.fixture
def trainer_client(client, db):
    client.force_login(UserFactory(role=Role.TRAINER))
    return client


@pytest.mark.django_db
def test_trainer_creates_previews_publishes_edits_and_republishes(trainer_client, module_index):
    add_url = reverse("wagtailsnippets_assessments_quiz:add")
    assert trainer_client.get(add_url).status_code == 200

    # Preview before saving.
    preview_url = reverse("wagtailsnippets_assessments_quiz:preview_on_add")
    data = quiz_form()
    assert trainer_client.post(preview_url, data).json()["is_valid"] is True
    html = trainer_client.get(preview_url).content.decode()
    assert "Which response asks permission?" in html

    # Publish: version 1.
    response = trainer_client.post(add_url, {**data, "action-publish": "action-publish"})
    assert response.status_code == 302, response.content.decode()[:3000]
    quiz = Quiz.objects.get(key="admin-quiz")
    assert quiz.live
    assert [v.number for v in quiz.versions.all()] == [1]

    # Someone answers version 1.
    from tests.factories import ModulePageFactory

    module = ModulePageFactory(parent=module_index, quiz=quiz)
    coach = UserFactory()
    v1 = load_quiz_version(quiz.latest_version.pk)
    submit_quiz(
        user=coach, module=module, timepoint="pre", version=v1,
        answers={q.pk: [q.choices.all()[0].pk] for q in v1.questions.all()},
        token=issue_token(coach, v1),
    )  # fmt: skip
    v1_wording = list(v1.questions.values_list("text", flat=True))

    # Edit and republish: version 2 beside version 1, whose answers are unchanged.
    edit_url = reverse("wagtailsnippets_assessments_quiz:edit", args=[quiz.pk])
    edit_page = trainer_client.get(edit_url).content.decode()
    assert "Version 1, published" in edit_page
    response = trainer_client.post(
        edit_url,
        {**quiz_form("Which reply asks permission first?"), "action-publish": "action-publish"},
    )
    assert response.status_code == 302
    assert [v.number for v in quiz.versions.all()] == [1, 2]
    v1.refresh_from_db()
    assert list(v1.questions.values_list("text", flat=True)) == v1_wording
    assert v1.attempts.count() == 1
    assert quiz.latest_version.questions.first().text == "Which reply asks permission first?"

    # The listing shows the version to trainers.
    listing = trainer_client.get(reverse("wagtailsnippets_assessments_quiz:list")).content.decode()
    assert "Version 2," in listing

    # An answered quiz cannot be deleted, and the admin says why.
    delete_url = reverse("wagtailsnippets_assessments_quiz:delete", args=[quiz.pk])
    response = trainer_client.post(delete_url, follow=True)
    assert "cannot be deleted: people have answered it" in response.content.decode()
    assert Quiz.objects.filter(pk=quiz.pk).exists()


@pytest.mark.django_db
def test_an_unanswered_quiz_can_be_deleted_with_its_versions(client, db):
    from tests.assessments.builders import make_quiz

    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    quiz = make_quiz()
    response = client.post(reverse("wagtailsnippets_assessments_quiz:delete", args=[quiz.pk]))
    assert response.status_code == 302
    assert not Quiz.objects.filter(pk=quiz.pk).exists()


@pytest.mark.django_db
def test_invalid_question_shows_an_error_and_saves_nothing(trainer_client):
    data = quiz_form()
    data["questions-0-value-options-1-value-correct"] = "on"  # two correct answers
    response = trainer_client.post(reverse("wagtailsnippets_assessments_quiz:add"), data)
    assert response.status_code == 200
    assert "Mark exactly one option as correct." in response.content.decode()
    assert not Quiz.objects.exists()


@pytest.mark.django_db
def test_surveys_are_authored_too(trainer_client):
    data = nested_form_data(
        {
            "title": "Admin survey",
            "key": "admin-survey",
            "introduction": "",
            "scale": "agreement_5",
            "then_test_wording": "Thinking back…",
            "items": streamfield(
                [
                    (
                        "item",
                        {
                            "statement": "Asking about use",
                            "competency": "opening",
                            "reverse_coded": "",
                        },
                    )
                ]
            ),
        }
    )
    response = trainer_client.post(
        reverse("wagtailsnippets_assessments_confidencesurvey:add"),
        {**data, "action-publish": "action-publish"},
    )
    assert response.status_code == 302
    version = ConfidenceSurvey.objects.get(key="admin-survey").latest_version
    assert version.scale_key == "agreement_5"
    assert version.label_for(3) == "Neither agree nor disagree"


@pytest.mark.django_db
def test_coaches_cannot_author(client):
    client.force_login(UserFactory(role=Role.WORK_COACH))
    response = client.get(reverse("wagtailsnippets_assessments_quiz:add"))
    assert response.status_code in (302, 403)
