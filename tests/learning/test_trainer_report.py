"""Reports → Cohort progress: the trainers' totals per module and per quiz question."""

import csv
import io
import uuid
from datetime import timedelta

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from assessments.models import QuestionResponse, QuizAttempt, Timepoint
from assessments.services import issue_token, load_quiz_version, load_survey_version
from common.disclosure import SUPPRESSED, default_k, recoverable, suppress
from learning import services
from learning.admin_views import CohortReportMenuItem, can_view_cohort_report
from learning.models import Enrolment, Step
from learning.reports import (
    FUNNEL_STAGES,
    _response_counts,
    funnel_table,
    module_funnel,
    module_funnels,
    questions_table,
    quiz_item_analysis,
)
from tests.factories import UserFactory

QUESTIONS = 8  # in the disclosure quiz
ALL = [True] * QUESTIONS
NONE = [False] * QUESTIONS


def first(k):
    """The first ``k`` questions right, the rest wrong."""
    return [True] * k + [False] * (QUESTIONS - k)


def only(*positions):
    return [position in positions for position in range(1, QUESTIONS + 1)]


def answers_for(version, pattern):
    """Choice ids per question: exactly the correct ones, or one wrong one."""
    answers = {}
    for question, right in zip(version.questions.all(), pattern, strict=True):
        choices = list(question.choices.all())
        if right:
            answers[question.pk] = [c.pk for c in choices if c.is_correct]
        else:
            answers[question.pk] = [next(c.pk for c in choices if not c.is_correct)]
    return answers


class Coach:
    """One work coach taken through the module by the real services."""

    def __init__(self, module):
        self.module = module
        self.user = UserFactory(role=Role.WORK_COACH)
        self.pk = services.enrol(self.user, module).pk

    @property
    def enrolment(self):
        return Enrolment.objects.select_related("module", "user").get(pk=self.pk)

    def privacy(self):
        services.acknowledge_privacy(self.enrolment, opted_out=False)
        return self

    def survey(self, timepoint, reaction=None):
        version = load_survey_version(self.module.confidence_survey.latest_version.pk)
        values = {item.pk: 3 for item in version.items.all()}
        services.answer_survey(
            self.enrolment,
            timepoint=timepoint,
            version=version,
            values=values,
            then_values=values if timepoint == Timepoint.POST else None,
            reaction=reaction,
            token=issue_token(self.user, version),
        )
        return self

    def quiz(self, timepoint, pattern):
        version = load_quiz_version(self.module.quiz.latest_version.pk)
        services.answer_quiz(
            self.enrolment,
            timepoint=timepoint,
            version=version,
            answers=answers_for(version, pattern),
            token=issue_token(self.user, version),
        )
        return self

    def baseline(self, pattern):
        return self.privacy().survey(Timepoint.PRE).quiz(Timepoint.PRE, pattern)

    def lessons(self):
        enrolment = self.enrolment
        for lesson in self.module.lessons():
            services.record_lesson_view(enrolment, lesson)
        services.finish_lessons(enrolment)
        return self

    def follow_up(self):
        services.refresh_follow_up(self.enrolment, timezone.localdate() + timedelta(days=365))
        return self.survey(Timepoint.FOLLOW_UP)

    @property
    def step(self):
        return self.enrolment.step


@pytest.fixture
def cohort(disclosure):
    """Six coaches at different points, built through the real services.

    pre (attempt 1)         post attempts (last counts)        where they are
    A  -                    -                                   privacy
    B  all wrong            -                                   lessons
    C  Q1 right             Q1-4 right (fail, 2 left)           post quiz
    D  Q1-2 right           all wrong, then all right (pass)    completed, rating 5
    E  all right            all right                           followed up, rating 3
    F  Q2 right             wrong, wrong, Q1-5 right (no pass)  post survey
    """
    assert disclosure.pass_mark_percent == 70 and disclosure.post_quiz_attempts == 3
    assert disclosure.quiz.latest_version.questions.count() == QUESTIONS
    post, pre = Timepoint.POST, Timepoint.PRE
    coaches = {}
    coaches["A"] = Coach(disclosure)
    coaches["B"] = Coach(disclosure).baseline(NONE)
    coaches["C"] = Coach(disclosure).baseline(only(1)).lessons().quiz(post, first(4))
    coaches["D"] = (
        Coach(disclosure)
        .baseline(first(2))
        .lessons()
        .quiz(post, NONE)
        .quiz(post, ALL)
        .survey(post, reaction=5)
    )
    coaches["E"] = (
        Coach(disclosure)
        .baseline(ALL)
        .lessons()
        .quiz(post, ALL)
        .survey(post, reaction=3)
        .follow_up()
    )
    coaches["F"] = (
        Coach(disclosure)
        .baseline(only(2))
        .lessons()
        .quiz(post, NONE)
        .quiz(post, NONE)
        .quiz(post, first(5))
    )
    steps = {name: coach.step for name, coach in coaches.items()}
    assert steps == {
        "A": Step.PRIVACY,
        "B": Step.LESSONS,
        "C": Step.POST_QUIZ,
        "D": Step.COMPLETED,
        "E": Step.FOLLOWED_UP,
        "F": Step.POST_SURVEY,
    }
    assert QuizAttempt.objects.filter(timepoint=pre).count() == 5
    assert QuizAttempt.objects.filter(timepoint=post).count() == 7
    return coaches


@pytest.fixture
def every_figure_shown(settings):
    """k = 1: for tests about what is counted, with a cohort far smaller than k."""
    settings.EVALUATION_DISCLOSURE_K = 1


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def index_url():
    return reverse("learning_reports:index")


def module_url(module, export=None):
    url = reverse("learning_reports:module", args=[module.pk])
    return f"{url}?export={export}" if export else url


def content_of(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def assert_nobody_named(text, coaches):
    for coach in coaches:
        user = coach.user if isinstance(coach, Coach) else coach
        assert user.email not in text
        assert user.last_name not in text
        assert user.get_full_name() not in text


# The figures -----------------------------------------------------------------------


def test_funnel_counts_each_step_and_the_reaction_rating(every_figure_shown, cohort, disclosure):
    funnel = module_funnel(disclosure)
    assert (
        funnel.enrolled,
        funnel.baseline_done,
        funnel.lessons_done,
        funnel.post_done,
        funnel.completed,
        funnel.followed_up,
    ) == (6, 5, 4, 3, 2, 1)
    assert [(s.key, s.count, s.percent) for s in funnel.stages] == [
        ("enrolled", 6, 100.0),
        ("baseline_done", 5, 83.3),
        ("lessons_done", 4, 66.7),
        ("post_done", 3, 50.0),
        ("completed", 2, 33.3),
        ("followed_up", 1, 16.7),
    ]
    assert funnel.reaction_average == 4.0  # (5 + 3) / 2
    assert funnel.reaction_n == 2


def test_module_funnels_lists_every_module_in_one_query(every_figure_shown, cohort, disclosure):
    with CaptureQueriesContext(connection) as queries:
        funnels = module_funnels()
    assert len(queries) == 1
    assert funnels == [module_funnel(disclosure)]


def test_an_empty_module_has_no_percentages(every_figure_shown, disclosure):
    funnel = module_funnel(disclosure)
    assert funnel.enrolled == 0
    assert all(stage.percent is None for stage in funnel.stages)
    assert funnel.reaction_average is None and funnel.reaction_n == 0
    analysis = quiz_item_analysis(disclosure)
    assert len(analysis.questions) == QUESTIONS
    assert all(q.pre_n == 0 and q.pre_percent is None for q in analysis.questions)


def test_item_analysis_before_first_attempt_and_after_last_attempt(
    every_figure_shown, cohort, disclosure
):
    analysis = quiz_item_analysis(disclosure)
    version = disclosure.quiz.latest_version
    assert analysis.latest_version == version.number == 1
    assert [q.text for q in analysis.questions] == [
        q.text for q in version.questions.order_by("position")
    ]
    assert [q.position for q in analysis.questions] == list(range(1, QUESTIONS + 1))
    got = [
        (q.pre_correct, q.pre_n, q.pre_percent, q.post_correct, q.post_n, q.post_percent)
        for q in analysis.questions
    ]
    # Before: B, C, D, E, F.  Q1: C D E.  Q2: D E F.  Others: E.
    # After, last attempts of C, D, E, F.  Q1-4: all four.  Q5: D E F.  Q6-8: D E.
    assert got == [
        (3, 5, 60.0, 4, 4, 100.0),
        (3, 5, 60.0, 4, 4, 100.0),
        (1, 5, 20.0, 4, 4, 100.0),
        (1, 5, 20.0, 4, 4, 100.0),
        (1, 5, 20.0, 3, 4, 75.0),
        (1, 5, 20.0, 2, 4, 50.0),
        (1, 5, 20.0, 2, 4, 50.0),
        (1, 5, 20.0, 2, 4, 50.0),
    ]
    assert analysis.questions[0].change == 40.0
    assert analysis.questions[7].change == 30.0


def test_retakes_count_only_the_last_post_attempt(every_figure_shown, cohort, disclosure):
    # D failed everything and then passed: only the pass counts.
    # F failed twice and got Q1-5 right on the last go: only that counts.
    questions = quiz_item_analysis(disclosure).questions
    assert {q.post_n for q in questions} == {4}  # four people, seven attempts
    assert questions[5].post_correct == 2  # D and E; not D's or F's earlier misses
    # A retake after the baseline does not change the before figures either.
    c = cohort["C"]
    c.quiz(Timepoint.POST, ALL)  # C retakes and passes
    questions = quiz_item_analysis(disclosure).questions
    assert [q.post_correct for q in questions] == [4, 4, 4, 4, 4, 3, 3, 3]
    assert {q.post_n for q in questions} == {4}
    assert [q.pre_n for q in questions] == [5] * QUESTIONS
    assert module_funnel(disclosure).post_done == 4


def test_questions_pair_across_versions_by_block_with_the_latest_wording(
    every_figure_shown, cohort, disclosure
):
    quiz = disclosure.quiz
    dropped = quiz.latest_version.questions.get(position=QUESTIONS).text
    quiz.questions[0].value["question"] = "What would you say next?"
    del quiz.questions[QUESTIONS - 1]  # the last question is dropped from version 2
    quiz.save_revision().publish()
    assert quiz.latest_version.number == 2
    assert quiz.latest_version.questions.count() == QUESTIONS - 1

    # G takes the baseline on version 2, with Q1 right.
    Coach(disclosure).baseline(only(1)[: QUESTIONS - 1])

    analysis = quiz_item_analysis(disclosure)
    assert analysis.latest_version == 2
    questions = analysis.questions
    assert len(questions) == QUESTIONS
    assert questions[0].text == "What would you say next?"
    assert questions[0].versions == (1, 2)
    assert (questions[0].pre_correct, questions[0].pre_n) == (4, 6)  # C D E, and G
    assert (questions[1].pre_correct, questions[1].pre_n) == (3, 6)
    # The dropped question comes last, worded as it was, answered on version 1 only.
    assert questions[-1].text == dropped
    assert questions[-1].versions == (1,)
    assert (questions[-1].pre_correct, questions[-1].pre_n) == (1, 5)


# The admin pages -------------------------------------------------------------------


def test_index_lists_modules_with_their_funnel(
    every_figure_shown, trainer_client, cohort, disclosure
):
    response = trainer_client.get(index_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cohort progress" in html
    assert disclosure.title in html
    assert module_url(disclosure) in html
    assert "5 (83.3%)" in html and "1 (16.7%)" in html
    assert_nobody_named(html, cohort.values())


def test_module_page_shows_funnel_rating_and_questions(
    every_figure_shown, trainer_client, cohort, disclosure
):
    response = trainer_client.get(module_url(disclosure))
    assert response.status_code == 200
    html = response.content.decode()
    assert disclosure.title in html
    assert "Post-module quiz done" in html and "50%" in html
    assert "Average rating 4 out of 5" in html
    assert "from 2 ratings" in html
    for question in disclosure.quiz.latest_version.questions.all():
        assert question.text in html
    assert "?export=csv" in html and "?export=xlsx" in html
    assert_nobody_named(html, cohort.values())


def test_module_page_for_a_missing_module_is_404(trainer_client, disclosure):
    assert trainer_client.get(reverse("learning_reports:module", args=[999999])).status_code == 404


def test_item_analysis_exports_as_csv(every_figure_shown, trainer_client, cohort, disclosure):
    response = trainer_client.get(module_url(disclosure, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = content_of(response).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "Question number",
        "Question (latest wording)",
        "Quiz versions",
        "Correct before",
        "Answered before (n)",
        "Correct before (%)",
        "Correct after",
        "Answered after (n)",
        "Correct after (%)",
        "Change (percentage points)",
    ]
    assert len(rows) == 1 + QUESTIONS
    first_question = disclosure.quiz.latest_version.questions.get(position=1)
    assert rows[1] == ["1", first_question.text, "1", "3", "5", "60.0", "4", "4", "100.0", "40.0"]
    assert rows[8][3:] == ["1", "5", "20.0", "2", "4", "50.0", "30.0"]
    assert_nobody_named(text, cohort.values())


def test_item_analysis_exports_as_xlsx(every_figure_shown, trainer_client, cohort, disclosure):
    response = trainer_client.get(module_url(disclosure, "xlsx"))
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    workbook = openpyxl.load_workbook(io.BytesIO(content_of(response)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Question number", "Question (latest wording)", "Quiz versions")
    assert len(rows) == 1 + QUESTIONS
    assert rows[1][0] == 1
    assert rows[1][3:] == (3, 5, 60.0, 4, 4, 100.0, 40.0)
    assert rows[6][3:] == (1, 5, 20.0, 2, 4, 50.0, 30.0)
    cells = " ".join(str(cell) for row in rows for cell in row if cell is not None)
    assert_nobody_named(cells, cohort.values())


def test_funnel_of_every_module_exports_as_csv_and_xlsx(
    every_figure_shown, trainer_client, cohort, disclosure
):
    text = content_of(trainer_client.get(f"{index_url()}?export=csv")).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Module", "Enrolled", "Baseline done"]
    assert rows[1] == [
        disclosure.title,
        "6",
        "5",
        "83.3",
        "4",
        "66.7",
        "3",
        "50.0",
        "2",
        "33.3",
        "1",
        "16.7",
        "4.0",
        "2",
    ]
    assert_nobody_named(text, cohort.values())

    response = trainer_client.get(f"{index_url()}?export=xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(content_of(response))).active.values)
    assert rows[1][:3] == (disclosure.title, 6, 5)
    assert rows[1][-2:] == (4.0, 2)


# Who may see it --------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TRAINER, Role.ADMINISTRATOR])
def test_trainers_and_administrators_may_see_the_report(client, disclosure, role):
    user = UserFactory(role=role)
    assert can_view_cohort_report(user)
    client.force_login(user)
    for url in (index_url(), module_url(disclosure), module_url(disclosure, "csv")):
        assert client.get(url).status_code == 200


def test_a_superuser_may_see_the_report(client, disclosure):
    user = UserFactory(is_superuser=True)
    assert can_view_cohort_report(user)
    client.force_login(user)
    assert client.get(index_url()).status_code == 200


@pytest.mark.parametrize("role", [Role.WORK_COACH, Role.TEAM_LEADER, Role.EVALUATOR])
def test_coaches_team_leaders_and_evaluators_are_refused(client, disclosure, role):
    user = UserFactory(role=role)
    assert not can_view_cohort_report(user)
    client.force_login(user)
    for url in (
        index_url(),
        module_url(disclosure),
        module_url(disclosure, "csv"),
        module_url(disclosure, "xlsx"),
    ):
        response = client.get(url)
        # Refused in one response: no redirect to a sign-in page they are already past.
        assert response.status_code == 403


def test_admin_access_alone_is_not_enough(client, disclosure):
    """Someone given admin access outside the Trainer and Administrator groups."""
    user = UserFactory(role=Role.EVALUATOR)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    user = type(user).objects.get(pk=user.pk)  # fresh permission cache
    assert not can_view_cohort_report(user)
    client.force_login(user)
    for url in (index_url(), module_url(disclosure), module_url(disclosure, "xlsx")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")


def test_menu_item_is_under_reports_for_trainers_only(rf, trainer, disclosure):
    item = CohortReportMenuItem("Cohort progress", index_url())
    request = rf.get("/admin/")
    request.user = trainer
    assert item.is_shown(request)
    request.user = UserFactory(role=Role.EVALUATOR)
    assert not item.is_shown(request)


def test_trainer_finds_cohort_progress_in_the_admin_menu(trainer_client, disclosure):
    html = trainer_client.get(reverse("wagtailadmin_home")).content.decode()
    assert index_url() in html
    assert "Cohort progress" in html


# A fixed number of queries ---------------------------------------------------------


def add_coaches(module, count):
    """Coaches straight through the ORM: a baseline, two post attempts, completed."""
    version = load_quiz_version(module.quiz.latest_version.pk)
    questions = list(version.questions.all())
    now = timezone.now()
    for _ in range(count):
        user = UserFactory(role=Role.WORK_COACH)
        Enrolment.objects.create(
            user=user,
            module=module,
            step=Step.COMPLETED,
            started_at=now,
            lessons_completed_at=now,
            completed_at=now,
            passed=True,
            reaction_rating=4,
        )
        for timepoint, number, pattern in [
            (Timepoint.PRE, 1, first(3)),
            (Timepoint.POST, 1, first(5)),
            (Timepoint.POST, 2, ALL),
        ]:
            attempt = QuizAttempt.objects.create(
                user=user,
                module=module,
                quiz=module.quiz,
                version=version,
                timepoint=timepoint,
                number=number,
                score=sum(pattern),
                max_score=len(pattern),
                token=uuid.uuid4(),
                submitted_at=now,
            )
            QuestionResponse.objects.bulk_create(
                QuestionResponse(attempt=attempt, question=question, is_correct=right)
                for question, right in zip(questions, pattern, strict=True)
            )


def count_queries(action):
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def test_query_count_does_not_grow_with_the_cohort(every_figure_shown, trainer_client, disclosure):
    actions = {
        "funnel": lambda: module_funnel(disclosure),
        "funnels": module_funnels,
        "items": lambda: quiz_item_analysis(disclosure),
        "index": lambda: trainer_client.get(index_url()),
        "module": lambda: trainer_client.get(module_url(disclosure)),
        "csv": lambda: content_of(trainer_client.get(module_url(disclosure, "csv"))),
        "xlsx": lambda: content_of(trainer_client.get(module_url(disclosure, "xlsx"))),
    }
    add_coaches(disclosure, 2)
    for action in actions.values():
        action()  # warm any caches
    with_two = {name: count_queries(action) for name, action in actions.items()}
    add_coaches(disclosure, 6)
    with_eight = {name: count_queries(action) for name, action in actions.items()}
    assert with_two == with_eight
    assert with_two["funnel"] == 1
    assert with_two["funnels"] == 1
    assert with_two["items"] == 2

    # And the figures are right for the eight.
    funnel = module_funnel(disclosure)
    assert (funnel.enrolled, funnel.completed, funnel.reaction_n) == (8, 8, 8)
    questions = quiz_item_analysis(disclosure).questions
    assert [(q.pre_percent, q.post_n, q.post_percent) for q in questions] == (
        [(100.0, 8, 100.0)] * 3 + [(0.0, 8, 100.0)] * 5
    )


@pytest.mark.django_db
def test_people_who_opted_out_are_left_out_of_answers_but_not_progress(
    every_figure_shown, walker, coach
):
    from learning import services
    from learning.reports import module_funnel, quiz_item_analysis

    walker.to("completed")
    module = walker.module
    before = quiz_item_analysis(module).questions[0]
    assert (before.pre_n, before.post_n) == (1, 1)
    assert module_funnel(module).reaction_n == 1
    services.record_evaluation_choice(coach, opted_out=True)
    after = quiz_item_analysis(module).questions[0]
    assert (after.pre_n, after.post_n) == (0, 0)
    funnel = module_funnel(module)
    assert funnel.reaction_n == 0
    assert (funnel.enrolled, funnel.completed) == (1, 1)


# Small numbers ---------------------------------------------------------------------
#
# The report hides counts of fewer than k people exactly as the evaluator area does
# (common.disclosure, k = EVALUATION_DISCLOSURE_K = 10 in these tests).

HIDDEN = SUPPRESSED


def add_baselines(module, count, correct):
    """``count`` coaches who have done the baseline on the quiz's latest version and
    are reading the lessons; ``correct`` says which of its questions they got right."""
    version = load_quiz_version(module.quiz.latest_version.pk)
    questions = list(version.questions.all())
    now = timezone.now()
    for _ in range(count):
        user = UserFactory(role=Role.WORK_COACH)
        Enrolment.objects.create(user=user, module=module, step=Step.LESSONS, started_at=now)
        attempt = QuizAttempt.objects.create(
            user=user,
            module=module,
            quiz=module.quiz,
            version=version,
            timepoint=Timepoint.PRE,
            number=1,
            score=0,
            max_score=len(questions),
            token=uuid.uuid4(),
            submitted_at=now,
        )
        QuestionResponse.objects.bulk_create(
            QuestionResponse(attempt=attempt, question=q, is_correct=q.position in correct)
            for q in questions
        )


def shown(value):
    return value != HIDDEN


def csv_rows(client, url):
    return list(csv.reader(io.StringIO(content_of(client.get(url)).decode())))


def xlsx_rows(client, url):
    workbook = openpyxl.load_workbook(io.BytesIO(content_of(client.get(url))))
    return list(workbook.active.iter_rows(values_only=True))


def test_the_threshold_is_the_evaluators(settings):
    assert default_k() == settings.EVALUATION_DISCLOSURE_K == 10


def test_a_cohort_under_k_shows_no_figure_about_anyone(trainer_client, cohort, disclosure):
    funnel = module_funnel(disclosure)
    assert [stage.count for stage in funnel.stages] == [HIDDEN] * 6
    assert funnel.reaction_average == HIDDEN and funnel.reaction_n == HIDDEN
    for q in quiz_item_analysis(disclosure).questions:
        assert (q.pre_correct, q.pre_n, q.pre_percent) == (HIDDEN, HIDDEN, HIDDEN)
        assert (q.post_correct, q.post_n, q.post_percent, q.change) == (HIDDEN,) * 4

    html = trainer_client.get(module_url(disclosure)).content.decode()
    assert "Figures based on fewer than 10 people are hidden" in html
    assert "Fewer than 10 people have rated this module, so the rating" in html
    assert "Average rating" not in html
    for figure in ("60%", "100%", "20%", "83.3%", "+40"):
        assert figure not in html
    index = trainer_client.get(index_url()).content.decode()
    assert "Figures based on fewer than 10 people are hidden" in index
    assert "83.3%" not in index and "16.7%" not in index


def test_one_person_alone_is_never_shown(trainer_client, disclosure):
    Coach(disclosure).baseline(ALL).lessons().quiz(Timepoint.POST, ALL).survey(
        Timepoint.POST, reaction=5
    )
    funnel = module_funnel(disclosure)
    # Nobody has been followed up: zero describes no one and is shown.
    assert [stage.count for stage in funnel.stages] == [HIDDEN] * 5 + [0]
    assert funnel.reaction_average == HIDDEN
    for q in quiz_item_analysis(disclosure).questions:
        assert HIDDEN == q.pre_n == q.pre_correct == q.post_n == q.post_correct

    rows = csv_rows(trainer_client, module_url(disclosure, "csv"))
    assert all(row[3:] == [HIDDEN] * 7 for row in rows[1:])


def test_downloads_hide_the_same_cells_as_the_page(trainer_client, cohort, disclosure):
    add_baselines(disclosure, 12, correct={1})
    # Before: 17 answered each question, so those are shown; after: 4, hidden.
    questions = quiz_item_analysis(disclosure).questions
    assert [(q.pre_correct, q.pre_n) for q in questions][:2] == [(15, 17), (3, 17)]
    assert {(q.post_correct, q.post_n, q.change) for q in questions} == {(HIDDEN,) * 3}

    rows = csv_rows(trainer_client, module_url(disclosure, "csv"))
    assert rows[1][3:] == ["15", "17", "88.2", HIDDEN, HIDDEN, HIDDEN, HIDDEN]
    assert all(row[6:] == [HIDDEN] * 4 for row in rows[1:])
    xlsx = xlsx_rows(trainer_client, module_url(disclosure, "xlsx"))
    assert xlsx[1][3:] == (15, 17, 88.2, HIDDEN, HIDDEN, HIDDEN, HIDDEN)

    # The funnel: 18 enrolled, 17 past the baseline, so the 1 who has not started
    # is small and must not be worked out by subtraction.
    raw = module_funnel(disclosure, k=1)
    assert (raw.enrolled, raw.baseline_done) == (18, 17)
    funnel = module_funnel(disclosure)
    assert not (shown(funnel.enrolled) and shown(funnel.baseline_done))
    expected = [str(getattr(funnel, key)) for key, _ in FUNNEL_STAGES]
    row = csv_rows(trainer_client, f"{index_url()}?export=csv")[1]
    assert [row[1], row[2], row[4], row[6], row[8], row[10]] == expected
    xlsx = xlsx_rows(trainer_client, f"{index_url()}?export=xlsx")[1]
    assert [str(xlsx[i]) for i in (1, 2, 4, 6, 8, 10)] == expected


def test_no_hidden_count_can_be_worked_out_from_the_figures_shown(disclosure):
    """The funnel and the per-question counts, as a reader sees them, with the sums
    between them; ``recoverable`` (the evaluators' exact check) finds nothing."""
    add_baselines(disclosure, 12, correct={1, 2})
    Enrolment.objects.create(
        user=UserFactory(role=Role.WORK_COACH), module=disclosure, started_at=timezone.now()
    )
    # Version 2 drops the last question; one person takes the baseline on it.
    quiz = disclosure.quiz
    del quiz.questions[QUESTIONS - 1]
    quiz.save_revision().publish()
    add_baselines(disclosure, 1, correct={1})

    raw = quiz_item_analysis(disclosure, k=1)
    assert [q.pre_n for q in raw.questions] == [13] * (QUESTIONS - 1) + [12]
    questions = quiz_item_analysis(disclosure).questions
    # The dropped question's 12 would give away the one person on version 2.
    assert questions[0].pre_n == 13 and questions[0].pre_correct == 13
    assert questions[-1].pre_n == HIDDEN and questions[-1].pre_percent == HIDDEN
    table = questions_table(raw.questions, _response_counts(disclosure))
    hidden = suppress(table, 10)
    assert ("pre", 2) in hidden  # the version-2 group of one
    assert recoverable(table, hidden) == set()

    raw_funnel = module_funnel(disclosure, k=1)
    assert (raw_funnel.enrolled, raw_funnel.baseline_done) == (14, 13)
    table = funnel_table(raw_funnel)
    hidden = suppress(table, 10)
    assert ("stopped", "enrolled") in hidden
    assert recoverable(table, hidden) == set()
    funnel = module_funnel(disclosure)
    assert {key for key, _ in FUNNEL_STAGES if getattr(funnel, key) == HIDDEN} == {
        key for key in hidden if isinstance(key, str)
    } - {"reaction_n"}


def test_the_privacy_page_promise_holds(walker, coach, client, disclosure, trainer):
    """The coach is told trainers see totals, with figures about fewer than 10 people
    hidden; the coach's own answers then appear nowhere in the trainers' report."""
    walker.start()
    html = walker.client.get(walker.url("privacy")).content.decode()
    assert "Trainers see totals for each module and question, not named people." in html
    assert "Figures about fewer than 10 people are hidden from them." in html
    walker.to("completed")

    client.force_login(trainer)
    page = client.get(module_url(disclosure)).content.decode()
    assert "100%" not in page and "Average rating" not in page
    rows = csv_rows(client, module_url(disclosure, "csv"))
    assert len(rows) == 1 + QUESTIONS
    assert all(set(row[3:]) == {HIDDEN} for row in rows[1:])
    funnel = csv_rows(client, f"{index_url()}?export=csv")[1]
    # Everything but the zero followed up: no one has been followed up yet.
    assert funnel[1:] == [HIDDEN] * 9 + ["0"] + [HIDDEN] * 3
