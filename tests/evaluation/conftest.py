import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Office
from accounts.roles import Role
from assessments.models import Question, SurveyItem, Timepoint
from assessments.services import issue_token, load_quiz_version, load_survey_version
from content.curriculum import load_curriculum, parse_curriculum
from content.models import ModulePage
from evaluation.cohort import seed_cohort
from evaluation.exports.request import make_request
from evaluation.exports.services import export_to_path
from learning import services
from learning.models import Enrolment
from tests.factories import OfficeFactory, RegionFactory, UserFactory


def expected_pid(user_id: int, key_id: str = "project-a") -> str:
    """Worked out here, not with the code under test."""
    secret = settings.EVALUATION_PSEUDONYM_KEYS[key_id].encode()
    return hmac.new(secret, str(user_id).encode(), hashlib.sha256).hexdigest()[:16]


@pytest.fixture(scope="session")
def curriculum_specs():
    return {m.slug: m for m in parse_curriculum()}


@pytest.fixture
def disclosure(db, curriculum_specs):
    load_curriculum(modules=[curriculum_specs["disclosure-conversations"]])
    return ModulePage.objects.get(slug="disclosure-conversations")


@pytest.fixture
def two_modules(db, curriculum_specs):
    load_curriculum(
        modules=[
            curriculum_specs["disclosure-conversations"],
            curriculum_specs["working-with-peer-mentors"],
        ]
    )
    return list(ModulePage.objects.order_by("path"))


class Person:
    """One person taken through a module by the real services."""

    def __init__(self, module, user=None, role=Role.WORK_COACH, **user_fields):
        self.module = module
        self.user = user or UserFactory(role=role, **user_fields)
        self.pk = services.enrol(self.user, module).pk

    @property
    def enrolment(self):
        return Enrolment.objects.select_related("module", "user").get(pk=self.pk)

    def privacy(self, opted_out=False):
        services.acknowledge_privacy(self.enrolment, opted_out=opted_out)
        return self

    def survey(self, timepoint, value=3, then=2, reaction=None):
        version = load_survey_version(self.module.confidence_survey.latest_version.pk)
        values = {item.pk: value for item in version.items.all()}
        services.answer_survey(
            self.enrolment,
            timepoint=timepoint,
            version=version,
            values=values,
            then_values=dict.fromkeys(values, then) if timepoint == Timepoint.POST else None,
            reaction=reaction,
            token=issue_token(self.user, version),
        )
        return self

    def quiz(self, timepoint, right=True):
        version = load_quiz_version(self.module.quiz.latest_version.pk)
        answers = {}
        for question in version.questions.all():
            choices = list(question.choices.all())
            if right:
                answers[question.pk] = [c.pk for c in choices if c.is_correct]
            else:
                answers[question.pk] = [next(c.pk for c in choices if not c.is_correct)]
        services.answer_quiz(
            self.enrolment,
            timepoint=timepoint,
            version=version,
            answers=answers,
            token=issue_token(self.user, version),
        )
        return self

    def lessons(self):
        enrolment = self.enrolment
        for lesson in self.module.lessons():
            services.record_lesson_view(enrolment, lesson)
        services.finish_lessons(enrolment)
        return self

    def complete(self, value=4, then=2, reaction=4, retake=False):
        self.privacy().survey(Timepoint.PRE, value=2).quiz(Timepoint.PRE, right=False)
        self.lessons()
        if retake:
            self.quiz(Timepoint.POST, right=False)
        self.quiz(Timepoint.POST, right=True)
        return self.survey(Timepoint.POST, value=value, then=then, reaction=reaction)


@dataclass
class World:
    module: ModulePage
    seeded: object
    leader: Person
    returner: Person
    leaver: Person
    odd_office: Office


@pytest.fixture
def world(disclosure):
    """One module, answered by a seeded cohort and a few people with known answers.

    The first survey statement starts with "=" and the first quiz question with "-",
    the second statement is reverse coded,
    and one office and its region have formula-like names, to catch any cell that
    escapes neutralising.
    """
    survey_version = disclosure.confidence_survey.latest_version
    quiz_version = disclosure.quiz.latest_version
    SurveyItem.objects.filter(version=survey_version, position=1).update(
        statement="=1+1 Asking a customer about their drug or alcohol use"
    )
    SurveyItem.objects.filter(version=survey_version, position=2).update(reverse_coded=True)
    Question.objects.filter(version=quiz_version, position=1).update(
        text="-What is the best thing to say next?"
    )
    summary = seed_cohort(120, seed=5)
    region = RegionFactory(name="+Formula region", slug="formula-region")
    odd_office = OfficeFactory(name="@SUM(A1:A2)", slug="formula-office", region=region)
    leader = Person(disclosure, role=Role.TEAM_LEADER, office=odd_office).complete(retake=True)
    returner = Person(disclosure).complete(value=5)
    services.record_evaluation_choice(returner.user, opted_out=True)
    services.record_evaluation_choice(returner.user, opted_out=False)
    leaver = Person(disclosure).complete(value=1)
    services.record_evaluation_choice(leaver.user, opted_out=True)
    return World(disclosure, summary, leader, returner, leaver, odd_office)


@pytest.fixture
def export(tmp_path):
    """``export(format, **filters) -> Path``: an export through the command-line
    service, written under ``tmp_path``."""

    def run(fmt, key="project-a", name=None, **filters):
        request = make_request(format=fmt, key_id=key, **filters)
        path = Path(tmp_path) / (name or f"export-{fmt}-{key}")
        export_to_path(request, path, actor="tests")
        return path

    return run


# What the files should hold, worked out from the database with the ORM -------------

PREFIXES = {
    "disclosure-conversations-survey": "dcs",
    "disclosure-conversations-quiz": "dcq",
    "working-with-peer-mentors-survey": "wwpms",
    "working-with-peer-mentors-quiz": "wwpmq",
}


def neutral(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def included_user_ids() -> set[int]:
    """Everyone whose latest evaluation choice is not an opt-out."""
    from learning.models import EvaluationChoice

    latest = {}
    for choice in EvaluationChoice.objects.order_by("user_id", "chosen_at", "pk"):
        latest[choice.user_id] = choice.opted_out
    from accounts.models import User

    return {pk for pk in User.objects.values_list("pk", flat=True) if not latest.get(pk)}


def chosen_attempts():
    """The attempt that counts per person, module, quiz and timepoint: the first."""
    from assessments.models import QuizAttempt

    chosen = {}
    for attempt in QuizAttempt.objects.order_by("number"):
        key = (attempt.user_id, attempt.module_id, attempt.quiz_id, attempt.timepoint)
        if key in chosen:
            continue
        chosen[key] = attempt
    return {a.pk: a for a in chosen.values()}


def expected_long_rows(key_id="project-a", modules=None):
    """Every row the long file should have, as tuples of strings, from the ORM."""
    from assessments.models import ItemAnswer, QuestionResponse

    users = included_user_ids()
    enrolments = {(e.user_id, e.module_id): e for e in Enrolment.objects.all()}
    pages = {m.pk: m.slug for m in ModulePage.objects.all()}
    rows = []
    answers = ItemAnswer.objects.select_related(
        "response", "item", "item__version", "item__version__survey"
    )
    for answer in answers:
        response = answer.response
        if response.user_id not in users or (modules and pages[response.module_id] not in modules):
            continue
        enrolment = enrolments[(response.user_id, response.module_id)]
        day = timezone.localdate(response.submitted_at)
        version = answer.item.version
        rows.append(
            (
                expected_pid(response.user_id, key_id),
                pages[response.module_id],
                version.survey.key,
                str(version.number),
                answer.timepoint,
                f"{PREFIXES[version.survey.key]}_q{answer.item.position:02d}",
                neutral(answer.item.statement),
                str(answer.value),
                version.label_for(answer.value),
                str(version.scale_min),
                str(version.scale_max),
                day.isoformat(),
                str((day - timezone.localdate(enrolment.started_at)).days),
            )
        )
    chosen = chosen_attempts()
    responses = QuestionResponse.objects.select_related(
        "attempt", "question", "question__version", "question__version__quiz"
    )
    for response in responses:
        attempt = response.attempt
        if attempt.pk not in chosen or attempt.user_id not in users:
            continue
        if modules and pages[attempt.module_id] not in modules:
            continue
        enrolment = enrolments[(attempt.user_id, attempt.module_id)]
        day = timezone.localdate(attempt.submitted_at)
        version = response.question.version
        rows.append(
            (
                expected_pid(attempt.user_id, key_id),
                pages[attempt.module_id],
                version.quiz.key,
                str(version.number),
                attempt.timepoint,
                f"{PREFIXES[version.quiz.key]}_k{response.question.position:02d}",
                neutral(response.question.text),
                "1" if response.is_correct else "0",
                "Correct" if response.is_correct else "Incorrect",
                "0",
                "1",
                day.isoformat(),
                str((day - timezone.localdate(enrolment.started_at)).days),
            )
        )
    return rows


LONG_COMPARED = [
    "pid",
    "module",
    "instrument",
    "instrument_version",
    "timepoint",
    "item_key",
    "item_text",
    "value",
    "value_label",
    "scale_min",
    "scale_max",
    "submitted_on",
    "days_since_enrolment",
]
