"""Answering quizzes and surveys through the pages and the service."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import ItemAnswer, QuestionResponse, QuizAttempt, SurveyResponse
from assessments.services import (
    SubmissionError,
    issue_token,
    load_quiz_version,
    submit_quiz,
    submit_survey,
)
from tests.assessments.builders import make_quiz, multiple, single, true_false
from tests.factories import ModulePageFactory, UserFactory


def quiz_url(module, timepoint="pre"):
    return reverse("learning:quiz", args=[module.slug, timepoint])


def survey_url(module, timepoint="pre"):
    return reverse("learning:survey", args=[module.slug, timepoint])


@pytest.fixture(autouse=True)
def coach_at_pre_quiz(request, at_step):
    """Most tests here answer the baseline quiz; others move the coach on."""
    if "module" in request.fixturenames and "coach" in request.fixturenames:
        at_step(request.getfixturevalue("coach"), request.getfixturevalue("module"), "pre_quiz")


def form_fields(html: str) -> dict:
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    return {"token": token, "version": version}


def correct_answers(version) -> dict:
    return {
        f"question-{q.pk}": [str(c.pk) for c in q.choices.all() if c.is_correct]
        for q in version.questions.all()
    }


@pytest.mark.django_db
class TestQuizPages:
    def test_renders_radios_and_checkboxes_one_fieldset_per_question(
        self, coach_client, module, quiz_version
    ):
        html = coach_client.get(quiz_url(module)).content.decode()
        assert html.count('<fieldset class="govuk-fieldset"') == quiz_version.questions.count()
        assert 'type="radio"' in html
        assert 'type="checkbox"' in html
        assert "Select all that apply." in html

    def test_no_correct_answer_or_feedback_in_the_page(self, coach_client, module, quiz_version):
        html = coach_client.get(quiz_url(module)).content.decode()
        for question in quiz_version.questions.all():
            assert question.explanation not in html
            for choice in question.choices.all():
                assert choice.feedback not in html
        assert "correct" not in html.lower().replace("incorrect", "")

    def test_a_complete_submission_is_stored_and_scored(
        self, coach_client, coach, module, quiz_version
    ):
        fields = form_fields(coach_client.get(quiz_url(module)).content.decode())
        response = coach_client.post(quiz_url(module), {**fields, **correct_answers(quiz_version)})
        attempt = QuizAttempt.objects.get(user=coach)
        assert response.status_code == 302
        assert response["Location"] == reverse("learning:quiz_result", args=[attempt.pk])
        assert (attempt.number, attempt.score, attempt.max_score) == (1, 4, 4)
        assert attempt.version_id == quiz_version.pk

    def test_baseline_result_shows_the_score_only(self, coach_client, module, quiz_version):
        fields = form_fields(coach_client.get(quiz_url(module)).content.decode())
        result = coach_client.post(
            quiz_url(module), {**fields, **correct_answers(quiz_version)}, follow=True
        )
        html = result.content.decode()
        assert "You answered 4 of 4 questions correctly" in html
        assert "Because." not in html  # no explanations after a baseline

    def test_post_result_shows_feedback_per_question(
        self, coach_client, coach, module, quiz_version, at_step
    ):
        at_step(coach, module, "post_quiz")
        fields = form_fields(coach_client.get(quiz_url(module, "post")).content.decode())
        answers = correct_answers(quiz_version)
        first = quiz_version.questions.all()[0]
        wrong = next(c for c in first.choices.all() if not c.is_correct)
        answers[f"question-{first.pk}"] = [str(wrong.pk)]
        html = coach_client.post(
            quiz_url(module, "post"), {**fields, **answers}, follow=True
        ).content.decode()
        assert "You answered 3 of 4 questions correctly" in html
        assert wrong.feedback in html
        assert "The answer:" in html
        assert "Because." in html

    def test_a_double_post_stores_once(self, coach_client, coach, module, quiz_version):
        fields = form_fields(coach_client.get(quiz_url(module)).content.decode())
        data = {**fields, **correct_answers(quiz_version)}
        first = coach_client.post(quiz_url(module), data)
        second = coach_client.post(quiz_url(module), data)
        assert first["Location"] == second["Location"]
        assert QuizAttempt.objects.filter(user=coach).count() == 1
        assert QuestionResponse.objects.count() == quiz_version.questions.count()

    def test_each_new_form_is_a_new_numbered_attempt(
        self, coach_client, coach, module, quiz_version, at_step
    ):
        for _ in range(2):
            at_step(coach, module, "post_quiz")
            fields = form_fields(coach_client.get(quiz_url(module, "post")).content.decode())
            coach_client.post(quiz_url(module, "post"), {**fields, **correct_answers(quiz_version)})
        assert list(QuizAttempt.objects.filter(user=coach).values_list("number", flat=True)) == [
            1,
            2,
        ]

    def test_someone_elses_result_is_not_found(self, client, coach_client, module, quiz_version):
        fields = form_fields(coach_client.get(quiz_url(module)).content.decode())
        location = coach_client.post(quiz_url(module), {**fields, **correct_answers(quiz_version)})[
            "Location"
        ]
        client.force_login(UserFactory())
        assert client.get(location).status_code == 404


def _q(version, n):
    return version.questions.all()[n]


def _field(version, n):
    return f"question-{_q(version, n).pk}"


def _nothing(v, a):
    return {}


def _first_missing(v, a):
    return dict(list(a.items())[1:])


def _multiple_empty(v, a):
    return {**a, _field(v, 2): []}


def _two_for_single(v, a):
    return {**a, _field(v, 0): [str(c.pk) for c in _q(v, 0).choices.all()][:2]}


def _from_another_question(v, a):
    return {**a, _field(v, 0): [str(_q(v, 1).choices.all()[0].pk)]}


def _not_a_number(v, a):
    return {**a, _field(v, 0): ["x"]}


def _unknown_id(v, a):
    return {**a, _field(v, 0): ["999999"]}


SHOWN = "Question 1: choose one of the answers shown"
QUIZ_ERRORS = [
    ("nothing answered", _nothing, "select an answer"),
    ("one question missing", _first_missing, "Question 1: select an answer"),
    ("multiple choice empty", _multiple_empty, "Question 3: select at least one answer"),
    ("two options for a single choice", _two_for_single, "Question 1: select only one answer"),
    ("an option from another question", _from_another_question, SHOWN),
    ("an option that is not a number", _not_a_number, SHOWN),
    ("an option id that does not exist", _unknown_id, SHOWN),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "change", "message"), QUIZ_ERRORS)
def test_quiz_validation_errors_store_nothing_and_keep_answers(
    label, change, message, coach_client, module, quiz_version
):
    fields = form_fields(coach_client.get(quiz_url(module)).content.decode())
    answers = change(quiz_version, correct_answers(quiz_version))
    response = coach_client.post(quiz_url(module), {**fields, **answers})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert QuizAttempt.objects.count() == 0
    assert QuestionResponse.objects.count() == 0
    # What the coach chose is still selected.
    for values in answers.values():
        for value in values:
            if value.isdigit() and value != "999999":
                assert (
                    f'value="{value}" checked' in html or label == "an option from another question"
                )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("token_change", "message"),
    [
        (lambda t: "", "could not be saved"),
        (lambda t: t[:-2] + "xx", "could not be saved"),
    ],
)
def test_a_missing_or_forged_token_stores_nothing(
    token_change, message, coach_client, module, quiz_version
):
    fields = form_fields(coach_client.get(quiz_url(module)).content.decode())
    fields["token"] = token_change(fields["token"])
    html = coach_client.post(
        quiz_url(module), {**fields, **correct_answers(quiz_version)}
    ).content.decode()
    assert message in html
    assert QuizAttempt.objects.count() == 0


@pytest.mark.django_db
def test_a_token_for_another_person_is_refused(module, quiz_version, coach):
    other = UserFactory()
    answers = {q.pk: [q.choices.all()[0].pk] for q in quiz_version.questions.all()}
    with pytest.raises(SubmissionError):
        submit_quiz(
            user=coach, module=module, timepoint="pre", version=quiz_version,
            answers=answers, token=issue_token(other, quiz_version),
        )  # fmt: skip
    assert QuizAttempt.objects.count() == 0


@pytest.mark.django_db
def test_then_is_not_a_quiz_timepoint(coach_client, module):
    assert coach_client.get(quiz_url(module, "then")).status_code == 404


@pytest.mark.django_db
class TestSurveyPages:
    @pytest.fixture(autouse=True)
    def at_survey(self, request, coach, module, at_step):
        at_step(coach, module, "post_survey" if "post" in request.node.name else "pre_survey")

    def fields(self, client, module, timepoint="pre"):
        return form_fields(client.get(survey_url(module, timepoint)).content.decode())

    def test_pre_survey_is_stored(self, coach_client, coach, module, survey_version):
        data = {**self.fields(coach_client, module)}
        data.update({f"item-{i.pk}": "4" for i in survey_version.items.all()})
        response = coach_client.post(survey_url(module), data)
        assert response.status_code == 302
        stored = SurveyResponse.objects.get(user=coach)
        assert stored.timepoint == "pre"
        assert list(stored.answers.values_list("value", flat=True)) == [4, 4, 4]

    def test_post_survey_asks_the_then_test_too(self, coach_client, coach, module, survey_version):
        html = coach_client.get(survey_url(module, "post")).content.decode()
        assert survey_version.then_test_wording in html
        # Now, thinking back, and the usefulness question.
        assert (
            html.count('<fieldset class="govuk-fieldset"') == 2 * survey_version.items.count() + 1
        )
        data = {**form_fields(html)}
        data.update({f"item-{i.pk}": "5" for i in survey_version.items.all()})
        data.update({f"then-{i.pk}": "2" for i in survey_version.items.all()})
        data["reaction"] = "4"
        coach_client.post(survey_url(module, "post"), data)
        answers = ItemAnswer.objects.filter(response__user=coach)
        assert sorted(answers.values_list("timepoint", "value").distinct()) == [
            ("post", 5),
            ("then", 2),
        ]

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("", "Choose an answer for"),
            ("6", "Choose one of the answers shown"),
            ("0", "Choose one of the answers shown"),
            ("x", "Choose one of the answers shown"),
        ],
    )
    def test_values_outside_the_scale_store_nothing(
        self, coach_client, module, survey_version, value, message
    ):
        data = {**self.fields(coach_client, module)}
        items = list(survey_version.items.all())
        data.update({f"item-{i.pk}": "3" for i in items})
        data[f"item-{items[0].pk}"] = value
        html = coach_client.post(survey_url(module), data).content.decode()
        assert "There is a problem" in html
        assert message in html
        assert f'name="item-{items[1].pk}" type="radio" value="3" checked' in html
        assert SurveyResponse.objects.count() == 0

    def test_missing_then_answers_for_post_store_nothing(
        self, coach_client, module, survey_version
    ):
        data = {**self.fields(coach_client, module, "post"), "reaction": "4"}
        data.update({f"item-{i.pk}": "3" for i in survey_version.items.all()})
        html = coach_client.post(survey_url(module, "post"), data).content.decode()
        assert "Thinking back: Choose an answer" in html
        assert SurveyResponse.objects.count() == 0
        assert ItemAnswer.objects.count() == 0

    def test_a_baseline_is_taken_once(self, coach_client, coach, module, survey_version, at_step):
        for value in ("2", "5"):
            at_step(coach, module, "pre_survey")  # even if the journey let them back
            data = {**self.fields(coach_client, module)}
            data.update({f"item-{i.pk}": value for i in survey_version.items.all()})
            coach_client.post(survey_url(module), data)
        assert SurveyResponse.objects.filter(user=coach).count() == 1
        assert set(ItemAnswer.objects.values_list("value", flat=True)) == {2}


def _queries(client, method, url, data=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302)
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_render_and_submit_use_the_same_number_of_queries_whatever_the_quiz_size(
    module_index, at_step
):
    counts = []
    for size in (2, 12):
        questions = [single() if i % 3 else multiple() for i in range(size)] + [true_false()]
        quiz = make_quiz(questions)
        module = ModulePageFactory(parent=module_index, quiz=quiz)
        user = UserFactory()
        at_step(user, module, "pre_quiz")
        from django.test import Client

        client = Client()
        client.force_login(user)
        client.get(quiz_url(module))  # warm caches (content types, site)
        render = _queries(client, "get", quiz_url(module))
        html = client.get(quiz_url(module)).content.decode()
        at_step(user, module, "pre_quiz")
        version = load_quiz_version(quiz.latest_version.pk)
        submit = _queries(
            client, "post", quiz_url(module), {**form_fields(html), **correct_answers(version)}
        )
        counts.append((render, submit))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_survey_service_rejects_then_answers_before_the_module(module, survey_version, coach):
    with pytest.raises(SubmissionError):
        submit_survey(
            user=coach, module=module, timepoint="pre", version=survey_version,
            values={i.pk: 3 for i in survey_version.items.all()},
            then_values={i.pk: 3 for i in survey_version.items.all()},
            token=issue_token(coach, survey_version),
        )  # fmt: skip
    assert SurveyResponse.objects.count() == 0
