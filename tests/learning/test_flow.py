"""A coach's journey through the pages, in order and out of order."""

import pytest
from django.core import mail
from django.urls import reverse

from assessments.models import ItemAnswer, QuizAttempt, SurveyResponse
from learning.models import Enrolment, EvaluationChoice, LessonProgress, Step
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_whole_journey(walker, coach):
    assert walker.start().status_code == 302
    assert walker.enrolment().step == Step.PRIVACY
    walker.privacy("no")
    assert EvaluationChoice.objects.get(user=coach).opted_out is True
    assert walker.enrolment().step == Step.PRE_SURVEY
    walker.survey("pre", value="2")
    assert walker.enrolment().step == Step.PRE_QUIZ
    walker.quiz("pre", correct=False)
    assert walker.enrolment().step == Step.LESSONS
    response = walker.read_lessons()
    assert walker.enrolment().step == Step.POST_QUIZ
    assert LessonProgress.objects.count() == walker.module.lessons().count()
    walker.quiz("post", correct=True)
    enrolment = walker.enrolment()
    assert (enrolment.step, enrolment.passed) == (Step.POST_SURVEY, True)
    response = walker.survey("post", value="4", then="2", reaction="5")
    enrolment = walker.enrolment()
    assert response["Location"] == walker.url("completed")
    assert enrolment.step == Step.COMPLETED
    assert enrolment.reaction_rating == 5
    assert enrolment.certificate_code and len(enrolment.certificate_code) == 12
    assert (enrolment.follow_up_due_on - enrolment.completed_at.date()).days == 56
    assert sorted(ItemAnswer.objects.values_list("timepoint", flat=True).distinct()) == [
        "post", "pre", "then",
    ]  # fmt: skip


STEPS_AND_PAGES = [
    (Step.PRIVACY, "privacy", ()),
    (Step.PRE_SURVEY, "survey", ("pre",)),
    (Step.PRE_QUIZ, "quiz", ("pre",)),
    (Step.LESSONS, "lessons", ()),
    (Step.POST_QUIZ, "quiz", ("post",)),
    (Step.POST_SURVEY, "survey", ("post",)),
    (Step.COMPLETED, "completed", ()),
]


@pytest.mark.parametrize(("at", "page", "args"), STEPS_AND_PAGES)
def test_every_later_step_redirects_to_the_right_one(walker, at, page, args):
    walker.to(at)
    right = walker.client.get(walker.url("module"))["Location"]
    for later_step, later_page, later_args in STEPS_AND_PAGES:
        if STEPS_AND_PAGES.index((later_step, later_page, later_args)) <= STEPS_AND_PAGES.index(
            (at, page, args)
        ):
            continue
        response = walker.client.get(walker.url(later_page, *later_args))
        assert response.status_code == 302, later_page
        assert response["Location"] == right, (at, later_page)
        walker.client.post(walker.url(later_page, *later_args), {})
        assert walker.enrolment().step == at


def test_a_baseline_cannot_be_retaken(walker, coach):
    walker.to(Step.LESSONS)
    before = (SurveyResponse.objects.count(), QuizAttempt.objects.count())
    walker.client.post(walker.url("privacy"), {"take_part": "yes"})
    walker.survey("pre", value="5")
    assert walker.client.get(walker.url("quiz", "pre")).status_code == 302
    assert (SurveyResponse.objects.count(), QuizAttempt.objects.count()) == before
    assert set(ItemAnswer.objects.values_list("value", flat=True)) == {3}
    assert walker.enrolment().step == Step.LESSONS
    assert EvaluationChoice.objects.filter(user=coach).count() == 1


def test_a_replayed_pre_quiz_form_stores_once(walker):
    walker.to(Step.PRE_QUIZ)
    version = walker.module.quiz.latest_version
    _, data = walker.form(walker.url("quiz", "pre"))
    for question in version.questions.all():
        data[f"question-{question.pk}"] = [str(question.choices.all()[0].pk)]
    first = walker.client.post(walker.url("quiz", "pre"), data)
    second = walker.client.post(walker.url("quiz", "pre"), data)
    assert first["Location"] == second["Location"]
    assert QuizAttempt.objects.count() == 1


def test_lessons_wait_for_the_baseline(walker):
    walker.to(Step.PRE_QUIZ)
    lesson = walker.module.lessons().first()
    response = walker.client.get(lesson.url)
    assert response["Location"] == walker.url("quiz", "pre")
    assert LessonProgress.objects.count() == 0


def test_lessons_before_enrolling_go_to_the_start(coach_client, disclosure):
    lesson = disclosure.lessons().first()
    response = coach_client.get(lesson.url)
    assert response["Location"] == reverse("learning:module", args=[disclosure.slug])


def test_trainers_read_lessons_freely(client, disclosure):
    from accounts.roles import Role

    client.force_login(UserFactory(role=Role.TRAINER))
    assert client.get(disclosure.lessons().first().url).status_code == 200


def test_lessons_must_all_be_read_before_the_quiz(walker):
    walker.to(Step.LESSONS)
    first = walker.module.lessons().first()
    walker.client.get(first.url)
    html = walker.client.get(walker.url("lessons")).content.decode()
    assert "✓ </span>Read" in html
    assert "Not read yet" in html
    walker.client.post(walker.url("lessons"))
    assert walker.enrolment().step == Step.LESSONS


def test_post_quiz_retakes_up_to_the_limit_then_not_passed(walker):
    walker.to(Step.POST_QUIZ)
    limit = walker.module.post_quiz_attempts
    for attempt in range(1, limit + 1):
        response = walker.quiz("post", correct=False)
        result = walker.client.get(response["Location"]).content.decode()
        enrolment = walker.enrolment()
        if attempt < limit:
            assert enrolment.step == Step.POST_QUIZ
            assert "Try the quiz again" in result
        else:
            assert enrolment.step == Step.POST_SURVEY
            assert enrolment.passed is False
    assert QuizAttempt.objects.filter(timepoint="post").count() == limit
    # After the last fail the coach still finishes, and the record says "not passed".
    walker.survey("post")
    enrolment = walker.enrolment()
    assert enrolment.step == Step.COMPLETED
    assert enrolment.passed is False
    dashboard = walker.client.get(reverse("learning:dashboard")).content.decode()
    assert "(quiz not passed)" in dashboard


def test_post_survey_needs_the_reaction_rating(walker):
    walker.to(Step.POST_SURVEY)
    html = walker.survey("post", reaction=None).content.decode()
    assert "Choose how useful the module was" in html
    assert walker.enrolment().step == Step.POST_SURVEY
    assert not SurveyResponse.objects.filter(timepoint="post").exists()


def test_signing_in_again_lands_on_the_right_step(client, walker, coach):
    walker.to(Step.PRE_QUIZ)
    client.logout()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=coach, email=coach.email, verified=True, primary=True)
    response = client.post(
        reverse("account_login"), {"login": coach.email, "password": "a-long-test-password"}
    )
    assert client.get(response["Location"])["Location"] == walker.url("quiz", "pre")


def test_dashboard_shows_each_module_state(walker):
    html = walker.client.get(reverse("learning:dashboard")).content.decode()
    assert html.count("Not started") == 1
    walker.to(Step.PRE_QUIZ)
    html = walker.client.get(reverse("learning:dashboard")).content.decode()
    assert "In progress" in html
    assert "Knowledge quiz before the module" in html
    assert "Not started" not in html


class TestCertificates:
    def test_printable_page_pdf_and_public_check(self, walker, client):
        enrolment = walker.to(Step.COMPLETED)
        page = walker.client.get(walker.url("certificate")).content.decode()
        assert enrolment.certificate_code in page
        assert enrolment.user.get_full_name() in page
        pdf = walker.client.get(walker.url("certificate_pdf"))
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        # Anyone can check it, and sees no name.
        public = client.get(reverse("certificate_verify_code", args=[enrolment.certificate_code]))
        html = public.content.decode()
        assert "Valid certificate" in html
        assert walker.module.title in html
        assert enrolment.user.get_full_name() not in html
        assert enrolment.user.email not in html

    def test_unknown_code_is_not_valid(self, client, db):
        html = client.get(
            reverse("certificate_verify_code", args=["NOPE2345NOPE"])
        ).content.decode()
        assert "Not valid" in html

    def test_empty_code_shows_an_error(self, client, db):
        html = client.get(reverse("certificate_verify"), {"code": ""}).content.decode()
        assert "There is a problem" in html

    def test_no_certificate_before_completion(self, walker):
        walker.to(Step.LESSONS)
        assert walker.client.get(walker.url("certificate")).status_code == 404


def test_evaluation_choice_can_be_changed_from_the_account_page(coach_client, coach):
    url = reverse("learning:evaluation_choice")
    html = coach_client.post(url, {}).content.decode()
    assert "Choose whether your answers can be used" in html
    coach_client.post(url, {"take_part": "no"})
    coach_client.post(url, {"take_part": "yes"})
    assert list(
        EvaluationChoice.objects.filter(user=coach)
        .order_by("chosen_at", "pk")
        .values_list("opted_out", flat=True)
    ) == [True, False]
    assert len(mail.outbox) == 0


def test_someone_else_cannot_act_on_my_enrolment(walker, client):
    walker.to(Step.PRE_SURVEY)
    other = UserFactory()
    client.force_login(other)
    response = client.get(walker.url("survey", "pre"))
    assert response["Location"] == walker.url("module")
    assert Enrolment.objects.filter(user=other).count() == 0


def test_the_baseline_result_never_offers_a_retake(walker):
    walker.to(Step.POST_QUIZ)
    response = walker.client.get(walker.url("quiz", "pre"))
    html = walker.client.get(response["Location"]).content.decode()
    assert "You answered" in html
    assert "Try the quiz again" not in html
