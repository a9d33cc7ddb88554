import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.utils import timezone

from accounts.models import Office, User
from accounts.roles import Role
from assessments.models import (
    ChoiceSelection,
    ItemAnswer,
    QuestionResponse,
    QuizAttempt,
    SurveyResponse,
    Timepoint,
)
from content.curriculum import load_curriculum
from evaluation.cohort import SYNTHETIC_DOMAIN, synthetic_users
from learning.models import Enrolment, EvaluationChoice, LessonProgress, Step
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db):
    return load_curriculum()


def seed(*args):
    out = io.StringIO()
    call_command("seed_cohort", *args, stdout=out)
    return out.getvalue()


def answers():
    return set(
        ItemAnswer.objects.filter(response__user__email__endswith=SYNTHETIC_DOMAIN).values_list(
            "response__user__email", "item_id", "timepoint", "value"
        )
    )


def test_same_seed_gives_the_same_answers_and_another_seed_differs(loaded):
    output = seed("--coaches", "60", "--seed", "7")
    assert "60 synthetic coaches" in output
    first = answers()
    assert first
    seed("--coaches", "60", "--seed", "7", "--clear")
    assert answers() == first
    seed("--coaches", "60", "--seed", "8", "--clear")
    assert answers() != first
    assert synthetic_users().count() == 60


def test_refused_when_demo_is_not_allowed(loaded, settings):
    settings.DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="DEMO_ALLOWED"):
        seed("--coaches", "5", "--seed", "1")
    assert not synthetic_users().exists()


def test_refused_without_curriculum(db):
    with pytest.raises(CommandError, match="run load_demo or load_curriculum first"):
        seed("--coaches", "5", "--seed", "1")


def test_refused_when_synthetic_users_exist_without_clear(loaded):
    seed("--coaches", "10", "--seed", "1")
    with pytest.raises(CommandError, match="--clear"):
        seed("--coaches", "10", "--seed", "1")
    assert synthetic_users().count() == 10


def test_if_empty_leaves_an_existing_cohort_alone(loaded):
    seed("--coaches", "10", "--seed", "1")
    out = seed("--coaches", "10", "--seed", "2", "--if-empty")
    assert "already exist" in out
    assert synthetic_users().count() == 10


def test_clear_removes_only_synthetic_data(loaded):
    from learning import services

    real = UserFactory(role=Role.WORK_COACH, email="real.coach@example.com")
    module = loaded_module()
    services.enrol(real, module)
    # A real answer, stored the way the site stores it.
    response = SurveyResponse.objects.create(
        user=real,
        module=module,
        timepoint=Timepoint.PRE,
        token="00000000-0000-4000-8000-000000000001",
        submitted_at=timezone.now(),
        survey=module.confidence_survey,
        version=module.confidence_survey.latest_version,
    )
    item = module.confidence_survey.latest_version.items.first()
    ItemAnswer.objects.create(response=response, item=item, timepoint=Timepoint.PRE, value=3)
    EvaluationChoice.objects.create(user=real, opted_out=False, chosen_at=timezone.now())

    seed("--coaches", "30", "--seed", "3")
    assert synthetic_users().count() == 30
    seed("--coaches", "20", "--seed", "4", "--clear")
    assert synthetic_users().count() == 20
    assert User.objects.filter(pk=real.pk).exists()
    assert ItemAnswer.objects.filter(response__user=real).count() == 1
    assert EvaluationChoice.objects.filter(user=real).count() == 1
    assert Enrolment.objects.filter(user=real).exists()
    # Nothing synthetic is left over from the first run.
    users = set(synthetic_users().values_list("pk", flat=True))
    for model in (QuizAttempt, SurveyResponse, Enrolment, EvaluationChoice):
        assert set(model.objects.values_list("user_id", flat=True)) <= users | {real.pk}
    assert not ChoiceSelection.objects.exclude(response__attempt__user__in=users).exists()


def loaded_module():
    from content.models import ModulePage

    return ModulePage.objects.live().filter(quiz__isnull=False).order_by("path").first()


@pytest.fixture
def cohort(loaded):
    seed("--coaches", "200", "--seed", "11")


def test_synthetic_users_are_marked_and_spread_over_every_office(cohort):
    users = synthetic_users()
    assert users.count() == 200
    first = users.get(email=f"synthetic-coach-00001@{SYNTHETIC_DOMAIN}")
    assert first.first_name == "Synthetic"
    assert first.last_name == "Coach 00001"
    assert not first.has_usable_password()
    assert first.has_role(Role.WORK_COACH) or first.has_role(Role.TEAM_LEADER)
    leaders = users.filter(groups__name=Role.TEAM_LEADER.value).count()
    coaches = users.filter(groups__name=Role.WORK_COACH.value).count()
    assert leaders + coaches == 200
    assert 0 < leaders < coaches  # about one in twelve leads a team
    sizes = Counter(users.values_list("office_id", flat=True))
    assert set(sizes) == set(Office.objects.values_list("pk", flat=True))
    assert any(size < 10 for size in sizes.values())
    assert len(set(sizes.values())) > 3  # uneven


def test_nothing_is_dated_in_the_future(cohort):
    now = timezone.now()
    assert not SurveyResponse.objects.filter(submitted_at__gt=now).exists()
    assert not QuizAttempt.objects.filter(submitted_at__gt=now).exists()
    assert not Enrolment.objects.filter(started_at__gt=now).exists()
    assert not Enrolment.objects.filter(completed_at__gt=now).exists()
    assert not Enrolment.objects.filter(followed_up_at__gt=now).exists()
    assert not LessonProgress.objects.filter(first_viewed_at__gt=now).exists()
    assert not EvaluationChoice.objects.filter(chosen_at__gt=now).exists()


def test_dates_are_in_order(cohort):
    for enrolment in Enrolment.objects.all():
        user, module = enrolment.user_id, enrolment.module_id
        surveys = {
            r.timepoint: r.submitted_at
            for r in SurveyResponse.objects.filter(user=user, module=module)
        }
        quizzes = list(
            QuizAttempt.objects.filter(user=user, module=module).order_by("timepoint", "number")
        )
        pre_quiz = [q.submitted_at for q in quizzes if q.timepoint == Timepoint.PRE]
        post_quiz = [q.submitted_at for q in quizzes if q.timepoint == Timepoint.POST]
        chain = [enrolment.started_at]
        chain += [surveys[Timepoint.PRE]] if Timepoint.PRE in surveys else []
        chain += pre_quiz
        chain += [enrolment.lessons_completed_at] if enrolment.lessons_completed_at else []
        chain += post_quiz
        chain += [surveys[Timepoint.POST]] if Timepoint.POST in surveys else []
        chain += [enrolment.completed_at] if enrolment.completed_at else []
        chain += [surveys[Timepoint.FOLLOW_UP]] if Timepoint.FOLLOW_UP in surveys else []
        assert chain == sorted(chain), enrolment.pk
        if enrolment.completed_at:
            assert enrolment.completed_at == surveys[Timepoint.POST]
            due = timezone.localdate(enrolment.completed_at)
            assert enrolment.follow_up_due_on > due
        if Timepoint.FOLLOW_UP in surveys:
            assert surveys[Timepoint.FOLLOW_UP].date() >= enrolment.follow_up_due_on


def test_then_answers_only_with_post_responses(cohort):
    then = ItemAnswer.objects.filter(timepoint=Timepoint.THEN)
    assert then.exists()
    assert not then.exclude(response__timepoint=Timepoint.POST).exists()
    for timepoint in (Timepoint.PRE, Timepoint.FOLLOW_UP):
        wrong = ItemAnswer.objects.filter(response__timepoint=timepoint).exclude(
            timepoint=timepoint
        )
        assert not wrong.exists()


def test_answers_belong_to_the_versions_answered(cohort):
    assert not ItemAnswer.objects.exclude(item__version=F("response__version")).exists()
    assert not QuestionResponse.objects.exclude(question__version=F("attempt__version")).exists()
    assert not ChoiceSelection.objects.exclude(choice__question=F("response__question")).exists()
    for attempt in QuizAttempt.objects.annotate(
        n=Count("responses"), right=Count("responses", filter=F("responses__is_correct"))
    ):
        assert attempt.n == attempt.max_score
        assert attempt.right == attempt.score


def test_attempt_numbers_have_no_gaps(cohort):
    numbers: dict[tuple, list[int]] = {}
    for user, module, timepoint, number in QuizAttempt.objects.values_list(
        "user", "module", "timepoint", "number"
    ):
        numbers.setdefault((user, module, timepoint), []).append(number)
    assert max(len(n) for n in numbers.values()) > 1
    for key, found in numbers.items():
        assert sorted(found) == list(range(1, len(found) + 1)), key
        if key[2] == Timepoint.PRE:
            assert found == [1]


def test_steps_agree_with_the_data(cohort):
    enrolments = Enrolment.objects.all()
    steps = Counter(enrolments.values_list("step", flat=True))
    assert {Step.LESSONS, Step.COMPLETED, Step.FOLLOWED_UP} <= set(steps)
    done = enrolments.filter(step__in=[Step.COMPLETED, Step.FOLLOW_UP_DUE, Step.FOLLOWED_UP])
    assert done.exists()
    assert not done.filter(completed_at=None).exists()
    assert not done.filter(certificate_code=None).exists()
    assert not done.filter(reaction_rating=None).exists()
    assert not done.filter(passed=None).exists()
    assert not enrolments.exclude(pk__in=done).exclude(certificate_code=None).exists()
    assert not enrolments.exclude(pk__in=done).exclude(completed_at=None).exists()
    codes = list(done.values_list("certificate_code", flat=True))
    assert len(codes) == len(set(codes))
    followed = enrolments.filter(step=Step.FOLLOWED_UP)
    assert not followed.filter(followed_up_at=None).exists()
    for enrolment in enrolments:
        timepoints = set(
            SurveyResponse.objects.filter(
                user=enrolment.user_id, module=enrolment.module_id
            ).values_list("timepoint", flat=True)
        )
        quiz = set(
            QuizAttempt.objects.filter(
                user=enrolment.user_id, module=enrolment.module_id
            ).values_list("timepoint", flat=True)
        )
        step = enrolment.step
        assert (Timepoint.PRE in timepoints) == (step not in {Step.PRIVACY, Step.PRE_SURVEY})
        assert (Timepoint.PRE in quiz) == (
            step not in {Step.PRIVACY, Step.PRE_SURVEY, Step.PRE_QUIZ}
        )
        assert (Timepoint.POST in timepoints) == (step in done_steps())
        assert (Timepoint.FOLLOW_UP in timepoints) == (step == Step.FOLLOWED_UP)
        if step == Step.LESSONS:
            assert enrolment.lessons_completed_at is None
            assert Timepoint.POST not in quiz
        if step in done_steps() or step == Step.POST_SURVEY:
            assert Timepoint.POST in quiz
            assert enrolment.passed is not None


def done_steps():
    return {Step.COMPLETED, Step.FOLLOW_UP_DUE, Step.FOLLOWED_UP}


def test_some_coaches_opted_out_and_effects_are_modest(cohort):
    latest = {}
    for user, opted_out in EvaluationChoice.objects.order_by("chosen_at").values_list(
        "user", "opted_out"
    ):
        latest[user] = opted_out
    opted_out = sum(latest.values())
    assert 0 < opted_out < 0.2 * len(latest)
    # Confidence rises on average, by a modest amount, and some people get worse.
    by_person: dict[tuple, dict[str, float]] = {}
    for user, module, item, timepoint, value in ItemAnswer.objects.values_list(
        "response__user", "response__module", "item", "timepoint", "value"
    ):
        by_person.setdefault((user, module, item), {})[timepoint] = value
    changes = [a["post"] - a["pre"] for a in by_person.values() if "pre" in a and "post" in a]
    shifts = [a["then"] - a["pre"] for a in by_person.values() if "then" in a and "pre" in a]
    mean = sum(changes) / len(changes)
    assert 0.2 < mean < 1.2
    assert any(c < 0 for c in changes)
    assert sum(shifts) / len(shifts) < 0
    # Knowledge: more right answers after than before.
    pre = QuestionResponse.objects.filter(attempt__timepoint="pre")
    post = QuestionResponse.objects.filter(attempt__timepoint="post", attempt__number=1)
    p_pre = pre.filter(is_correct=True).count() / pre.count()
    p_post = post.filter(is_correct=True).count() / post.count()
    assert 0.4 < p_pre < p_post < 0.95
