"""A synthetic cohort of work coaches, for the evaluation figures, demo charts and
benchmarks (``manage.py seed_cohort``).

Everything comes from one ``random.Random(seed)``: the same seed on the same
curriculum and offices gives the same people, the same journeys and the same answers
(dates count back from the start of the day the command runs, in UTC). Synthetic
people are marked three ways: their email addresses end ``@synthetic.invalid`` (a
domain that can never receive mail), their first name is "Synthetic" and their last
name "Coach 00001" and so on. ``clear_cohort`` removes them, and only them, by that email domain.

Rows are written straight into the tables in batches (``executemany`` on SQLite,
``COPY`` on PostgreSQL) inside one transaction: no per-row ``save()``, no signals.
Primary keys are taken up front (from the table's sequence on PostgreSQL, after the
highest id on SQLite) so children can point at their parents without reading back.
"""

from __future__ import annotations

import math
import random
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Office, User
from accounts.roles import Role
from assessments.models import (
    Choice,
    ChoiceSelection,
    ItemAnswer,
    Question,
    QuestionResponse,
    QuizAttempt,
    SurveyItem,
    SurveyResponse,
    Timepoint,
)
from content.models import ModulePage
from learning.models import Enrolment, EvaluationChoice, LessonProgress, Step

SYNTHETIC_DOMAIN = "synthetic.invalid"
BATCH_SIZE = 5000
#: Coaches generated before the buffered rows are written out.
CHUNK_COACHES = 1000
HISTORY_DAYS = 270
CERTIFICATE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class CohortError(Exception):
    """The cohort cannot be seeded; the message says why in one line."""


# What the generator needs to know about each module -------------------------------


@dataclass
class QuestionPlan:
    id: int
    allows_many: bool
    correct: list[int]
    wrong: list[int]
    # Chance of a right answer before and after the module for an average person.
    p_pre: float
    p_post: float


@dataclass
class ItemPlan:
    id: int
    reverse_coded: bool
    mean: float  # average baseline, on the latent scale
    effect: float  # average gain after the module
    response_shift: float  # how much lower the then-test sits than the pre-test


@dataclass
class ModulePlan:
    id: int
    quiz_id: int
    quiz_version_id: int
    survey_id: int
    survey_version_id: int
    scale_min: int
    scale_max: int
    pass_mark_percent: int
    post_quiz_attempts: int
    follow_up_days: int
    lessons: list[int]
    questions: list[QuestionPlan] = field(default_factory=list)
    items: list[ItemPlan] = field(default_factory=list)


@dataclass
class CohortSummary:
    coaches: int = 0
    enrolments: int = 0
    item_answers: int = 0
    quiz_responses: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"Seeded {self.coaches} synthetic coaches: {self.enrolments} enrolments, "
            f"{self.item_answers} item answers, {self.quiz_responses} quiz responses "
            f"in {self.seconds:.1f} s."
        )


def synthetic_users():
    return User.objects.filter(email__iendswith="@" + SYNTHETIC_DOMAIN)


def synthetic_email(number: int) -> str:
    return f"synthetic-coach-{number:05d}@{SYNTHETIC_DOMAIN}"


def load_modules() -> list[dict]:
    """The live modules that have a published quiz and survey, in page order, without
    the random parts (those are drawn by ``plan_modules``)."""
    modules = []
    pages = ModulePage.objects.live().filter(quiz__isnull=False, confidence_survey__isnull=False)
    for page in pages.select_related("quiz", "confidence_survey").order_by("path"):
        quiz_version = page.quiz.latest_version if page.quiz.live else None
        survey_version = (
            page.confidence_survey.latest_version if page.confidence_survey.live else None
        )
        if quiz_version is None or survey_version is None:
            continue
        questions = list(Question.objects.filter(version=quiz_version).order_by("position"))
        choices: dict[int, list[Choice]] = {}
        for choice in Choice.objects.filter(question__version=quiz_version).order_by(
            "question__position", "position"
        ):
            choices.setdefault(choice.question_id, []).append(choice)
        items = list(SurveyItem.objects.filter(version=survey_version).order_by("position"))
        if not questions or not items:
            continue
        modules.append(
            {
                "page": page,
                "quiz_version": quiz_version,
                "survey_version": survey_version,
                "questions": [
                    (
                        q.pk,
                        q.allows_many,
                        [c.pk for c in choices.get(q.pk, []) if c.is_correct],
                        [c.pk for c in choices.get(q.pk, []) if not c.is_correct],
                    )
                    for q in questions
                ],
                "items": [(item.pk, item.reverse_coded) for item in items],
                "lessons": list(page.lessons().values_list("pk", flat=True)),
            }
        )
    return modules


def plan_modules(rng: random.Random, modules: list[dict]) -> list[ModulePlan]:
    plans = []
    for data in modules:
        page, qv, sv = data["page"], data["quiz_version"], data["survey_version"]
        plan = ModulePlan(
            id=page.pk,
            quiz_id=page.quiz_id,
            quiz_version_id=qv.pk,
            survey_id=page.confidence_survey_id,
            survey_version_id=sv.pk,
            scale_min=sv.scale_min,
            scale_max=sv.scale_max,
            pass_mark_percent=page.pass_mark_percent,
            post_quiz_attempts=max(1, page.post_quiz_attempts),
            follow_up_days=page.follow_up_days,
            lessons=data["lessons"],
        )
        for qid, many, correct, wrong in data["questions"]:
            p_pre = rng.uniform(0.45, 0.70)
            p_post = min(0.92, max(p_pre + 0.05, rng.uniform(0.65, 0.90)))
            plan.questions.append(QuestionPlan(qid, many, correct, wrong, p_pre, p_post))
        span = sv.scale_max - sv.scale_min
        for position, (item_id, reverse) in enumerate(data["items"]):
            # Most items improve by 0.3-0.9 points; about one in five barely moves.
            barely = position % 5 == 2 or rng.random() < 0.1
            effect = rng.uniform(0.0, 0.15) if barely else rng.uniform(0.3, 0.9)
            plan.items.append(
                ItemPlan(
                    id=item_id,
                    reverse_coded=reverse,
                    mean=sv.scale_min + span * rng.uniform(0.3, 0.55),
                    effect=effect * span / 4,
                    response_shift=rng.uniform(0.05, 0.45) * span / 4,
                )
            )
        plans.append(plan)
    return plans


def office_sizes(rng: random.Random, offices: list[int], coaches: int) -> list[int]:
    """Uneven office sizes over every office: a few small offices (under 10 coaches)
    and the rest in proportion to log-normal weights, each with at least one."""
    n = len(offices)
    if coaches <= n:
        sizes = [1] * coaches + [0] * (n - coaches)
        rng.shuffle(sizes)
        return sizes
    order = list(range(n))
    rng.shuffle(order)
    sizes = [0] * n
    small = max(1, n // 6) if coaches >= 3 * n else 0
    left = coaches
    for index in order[:small]:
        sizes[index] = min(rng.randint(2, 9), max(1, left // (2 * small)))
        left -= sizes[index]
    big = order[small:]
    weights = [rng.lognormvariate(0, 0.7) for _ in big]
    for index in big:
        sizes[index] = 1
    left -= len(big)
    total = sum(weights)
    shares = [left * w / total for w in weights]
    floors = [math.floor(s) for s in shares]
    remainder = left - sum(floors)
    by_fraction = sorted(range(len(big)), key=lambda i: shares[i] - floors[i], reverse=True)
    for rank in by_fraction[:remainder]:
        floors[rank] += 1
    for index, extra in zip(big, floors, strict=True):
        sizes[index] += extra
    return sizes


# Writing rows --------------------------------------------------------------------

_ADAPTED_TYPES = {"DateTimeField", "DateField", "UUIDField", "JSONField", "DecimalField"}


class Table:
    """Buffered inserts into one model's table, with primary keys taken up front."""

    def __init__(self, model, fields: list[str], now: datetime, with_ids: bool = True):
        self.model = model
        self.with_ids = with_ids
        meta = model._meta
        by_name = {f.attname: f for f in meta.concrete_fields}
        given = (["id"] if with_ids else []) + fields
        self.converters = []
        for name in given:
            f = by_name[name]
            if f.get_internal_type() in _ADAPTED_TYPES:
                self.converters.append(lambda v, f=f: f.get_db_prep_save(v, connection))
            else:
                self.converters.append(None)
        extra_columns, extra_values = [], []
        for f in meta.concrete_fields:
            if f.attname in given or f.primary_key:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = f.get_default()
                if value is None and not f.null:
                    raise CohortError(f"{meta.label}.{f.name} needs a value")
            extra_columns.append(f.column)
            extra_values.append(f.get_db_prep_save(value, connection))
        self.columns = [by_name[n].column for n in given] + extra_columns
        self.extra = tuple(extra_values)
        self.rows: list[tuple] = []
        self.count = 0
        self._ids: Iterator[int] = iter(())
        self._next_sqlite_id: int | None = None
        self.postgres = connection.vendor == "postgresql"
        self.any_converter = any(self.converters)

    def next_id(self) -> int:
        if self.postgres:
            try:
                return next(self._ids)
            except StopIteration:
                self._ids = iter(self._reserve_postgres(BATCH_SIZE))
                return next(self._ids)
        if self._next_sqlite_id is None:
            table = self.model._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')  # noqa: S608 model table
                highest = cursor.fetchone()[0]
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
            self._next_sqlite_id = max(highest, row[0] if row else 0) + 1
        value = self._next_sqlite_id
        self._next_sqlite_id += 1
        return value

    def _reserve_postgres(self, n: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [self.model._meta.db_table, n],
            )
            return [row[0] for row in cursor.fetchall()]

    def add(self, *values) -> None:
        self.rows.append(values)
        if len(self.rows) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        converters = self.converters
        extra = self.extra
        if self.any_converter:
            rows = [
                tuple(v if c is None else c(v) for v, c in zip(row, converters, strict=True))
                + extra
                for row in self.rows
            ]
        elif extra:
            rows = [row + extra for row in self.rows]
        else:
            rows = self.rows
        self.count += len(rows)
        self.rows = []
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                # The driver's own cursor: Django's wrapper rewrites every batch.
                marks = ", ".join(["?"] * len(self.columns))
                sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 model columns
                sqlite3.Cursor.executemany(cursor.cursor, sql, rows)


# Generating ----------------------------------------------------------------------


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


class Generator:
    # Chance of stopping before each stage, among those who reached it.
    DROP = {
        Step.PRIVACY: 0.04,
        Step.PRE_SURVEY: 0.05,
        Step.PRE_QUIZ: 0.05,
        Step.LESSONS: 0.09,
        Step.POST_QUIZ: 0.06,
        Step.POST_SURVEY: 0.05,
    }
    ENROL = 0.85
    OPT_OUT = 0.05
    FOLLOW_UP_WHEN_DUE = 0.6  # of those whose follow-up has fallen due
    RETAKE_AFTER_FAIL = 0.85

    def __init__(self, rng: random.Random, modules: list[ModulePlan], now: datetime):
        self.rng = rng
        self.modules = modules
        self.now = now
        self.summary = CohortSummary()
        self.codes: set[str] = set(
            Enrolment.objects.exclude(certificate_code=None).values_list(
                "certificate_code", flat=True
            )
        )
        self.users = Table(
            User,
            ["email", "first_name", "last_name", "password", "office_id", "date_joined"],
            now,
        )
        self.groups = Table(User.groups.through, ["user_id", "group_id"], now, with_ids=False)
        self.choices = Table(EvaluationChoice, ["user_id", "opted_out", "chosen_at"], now)
        self.enrolments = Table(
            Enrolment,
            [
                "user_id",
                "module_id",
                "step",
                "started_at",
                "lessons_completed_at",
                "completed_at",
                "passed",
                "reaction_rating",
                "certificate_code",
                "follow_up_due_on",
                "followed_up_at",
            ],
            now,
        )
        self.progress = Table(LessonProgress, ["enrolment_id", "lesson_id", "first_viewed_at"], now)
        submission = ["user_id", "module_id", "timepoint", "token", "submitted_at"]
        self.attempts = Table(
            QuizAttempt,
            submission + ["quiz_id", "version_id", "number", "score", "max_score"],
            now,
        )
        self.question_responses = Table(
            QuestionResponse, ["attempt_id", "question_id", "is_correct"], now
        )
        self.selections = Table(ChoiceSelection, ["response_id", "choice_id"], now, with_ids=False)
        self.survey_responses = Table(SurveyResponse, submission + ["survey_id", "version_id"], now)
        self.item_answers = Table(
            ItemAnswer, ["response_id", "item_id", "timepoint", "value"], now, with_ids=False
        )
        # Parents before children. (A table that fills a batch writes it at once; Django
        # creates foreign keys deferred to the end of the transaction, so that is safe.)
        self.tables = [
            self.users,
            self.groups,
            self.choices,
            self.enrolments,
            self.progress,
            self.attempts,
            self.question_responses,
            self.selections,
            self.survey_responses,
            self.item_answers,
        ]

    def flush(self) -> None:
        for table in self.tables:
            table.flush()

    def certificate_code(self) -> str:
        while True:
            code = "".join(self.rng.choice(CERTIFICATE_ALPHABET) for _ in range(12))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def coach(self, number: int, office_id: int, group_id: int) -> None:
        rng = self.rng
        history_start = self.now - timedelta(days=HISTORY_DAYS)
        joined = history_start + timedelta(days=rng.uniform(0, HISTORY_DAYS - 3))
        joined = joined.replace(hour=rng.randint(8, 16), minute=rng.randint(0, 59))
        joined = min(joined, self.now - timedelta(hours=2))
        password = "!" + "".join(rng.choice(CERTIFICATE_ALPHABET) for _ in range(40))
        user_id = self.users.next_id()
        self.users.add(
            user_id,
            synthetic_email(number),
            "Synthetic",
            f"Coach {number:05d}",
            password,
            office_id,
            joined,
        )
        self.groups.add(user_id, group_id)
        self.summary.coaches += 1
        person = {
            "opted_out": rng.random() < self.OPT_OUT,
            "ability": rng.gauss(0, 0.7),  # logit shift in quiz answers
            "confidence": rng.gauss(0, 0.45),  # baseline confidence shift
            "gain": rng.gauss(0, 0.45),  # how much more (or less) they gain than most
            "pace": rng.uniform(0.5, 2.0),  # days stretch
        }
        start = joined + timedelta(minutes=rng.randint(5, 600))
        for module in self.modules:
            if rng.random() < self.ENROL and start < self.now - timedelta(minutes=30):
                self.enrolment(user_id, module, start, person)
            start += timedelta(days=rng.uniform(0, 30) * person["pace"], minutes=rng.randint(1, 90))

    def enrolment(self, user_id: int, module: ModulePlan, started: datetime, person) -> None:
        rng, now = self.rng, self.now
        e = {
            "step": Step.PRIVACY,
            "lessons_completed_at": None,
            "completed_at": None,
            "passed": None,
            "reaction_rating": None,
            "certificate_code": None,
            "follow_up_due_on": None,
            "followed_up_at": None,
        }
        enrolment_id = self.enrolments.next_id()
        self.summary.enrolments += 1
        progress: list[tuple] = []
        t = started

        def later(**delta) -> datetime | None:
            nonlocal t
            t = t + timedelta(**delta)
            return t if t <= now else None

        def stops(step: Step) -> bool:
            return rng.random() < self.DROP[step]

        def finish():
            self.enrolments.add(
                enrolment_id,
                user_id,
                module.id,
                e["step"],
                started,
                e["lessons_completed_at"],
                e["completed_at"],
                e["passed"],
                e["reaction_rating"],
                e["certificate_code"],
                e["follow_up_due_on"],
                e["followed_up_at"],
            )
            for row in progress:
                self.progress.add(*row)

        # Privacy notice and the evaluation choice.
        if stops(Step.PRIVACY) or later(minutes=rng.uniform(0.5, 5)) is None:
            return finish()
        self.choices.add(self.choices.next_id(), user_id, person["opted_out"], t)
        e["step"] = Step.PRE_SURVEY
        # Baseline survey.
        latent_pre = [
            item.mean + person["confidence"] + rng.gauss(0, 0.55) for item in module.items
        ]
        if stops(Step.PRE_SURVEY) or later(minutes=rng.uniform(2, 10)) is None:
            return finish()
        self.survey(user_id, module, Timepoint.PRE, t, [(latent_pre, Timepoint.PRE)])
        e["step"] = Step.PRE_QUIZ
        # Baseline quiz.
        if stops(Step.PRE_QUIZ) or later(minutes=rng.uniform(3, 15)) is None:
            return finish()
        self.quiz(user_id, module, Timepoint.PRE, 1, t, person, 0.0)
        e["step"] = Step.LESSONS
        # Lessons, over a few days; some stop part-way.
        dropping = stops(Step.LESSONS)
        lessons = module.lessons
        seen = rng.randint(0, max(0, len(lessons) - 1)) if dropping else len(lessons)
        for lesson_id in lessons[:seen]:
            hours = rng.expovariate(1 / (12 * person["pace"])) if rng.random() < 0.4 else 0
            if later(minutes=rng.uniform(4, 20), hours=hours) is None:
                return finish()
            progress.append((self.progress.next_id(), enrolment_id, lesson_id, t))
        if dropping or later(minutes=rng.uniform(2, 15)) is None:
            return finish()
        e["lessons_completed_at"] = t
        e["step"] = Step.POST_QUIZ
        # Post-module quiz: up to the module's number of attempts.
        if stops(Step.POST_QUIZ) or later(minutes=rng.uniform(2, 90)) is None:
            return finish()
        number = 1
        while True:
            score = self.quiz(
                user_id, module, Timepoint.POST, number, t, person, 0.6 * (number - 1)
            )
            percent = round(100 * score / len(module.questions))
            if percent >= module.pass_mark_percent:
                e["passed"] = True
                break
            if number >= module.post_quiz_attempts:
                e["passed"] = False
                break
            if rng.random() > self.RETAKE_AFTER_FAIL:
                return finish()
            if later(minutes=rng.uniform(5, 60), hours=rng.choice([0, 0, 2, 20])) is None:
                return finish()
            number += 1
        e["step"] = Step.POST_SURVEY
        # Post-module survey, with the then-test and the reaction rating.
        if stops(Step.POST_SURVEY) or later(minutes=rng.uniform(1, 30)) is None:
            return finish()
        latent_post = [
            pre + item.effect + person["gain"] + rng.gauss(0, 0.45)
            for pre, item in zip(latent_pre, module.items, strict=True)
        ]
        latent_then = [
            pre - item.response_shift + rng.gauss(0, 0.35)
            for pre, item in zip(latent_pre, module.items, strict=True)
        ]
        self.survey(
            user_id,
            module,
            Timepoint.POST,
            t,
            [(latent_post, Timepoint.POST), (latent_then, Timepoint.THEN)],
        )
        mean_gain = sum(latent_post) / len(latent_post) - sum(latent_pre) / len(latent_pre)
        e["reaction_rating"] = _clamp(3.6 + 0.6 * mean_gain + rng.gauss(0, 0.8), 1, 5)
        e["completed_at"] = t
        e["certificate_code"] = self.certificate_code()
        e["step"] = Step.COMPLETED
        due = timezone.localdate(t) + timedelta(days=module.follow_up_days)
        e["follow_up_due_on"] = due
        if due > timezone.localdate(now):
            return finish()
        e["step"] = Step.FOLLOW_UP_DUE
        if rng.random() >= self.FOLLOW_UP_WHEN_DUE:
            return finish()
        delay = (
            timezone.localtime(t).replace(hour=0, minute=0, second=0, microsecond=0)
            + timedelta(days=module.follow_up_days)
            - t
        )
        if (
            later(
                seconds=delay.total_seconds(), days=rng.expovariate(1 / 6), hours=rng.uniform(8, 17)
            )
            is None
        ):
            return finish()
        latent_follow = [post - rng.uniform(0, 0.35) + rng.gauss(0, 0.4) for post in latent_post]
        self.survey(user_id, module, Timepoint.FOLLOW_UP, t, [(latent_follow, Timepoint.FOLLOW_UP)])
        e["followed_up_at"] = t
        e["step"] = Step.FOLLOWED_UP
        return finish()

    def survey(self, user_id, module: ModulePlan, timepoint, at, sets) -> None:
        response_id = self.survey_responses.next_id()
        self.survey_responses.add(
            response_id,
            user_id,
            module.id,
            timepoint,
            _uuid(self.rng),
            at,
            module.survey_id,
            module.survey_version_id,
        )
        low, high = module.scale_min, module.scale_max
        for latent, answer_timepoint in sets:
            for value, item in zip(latent, module.items, strict=True):
                answer = _clamp(value, low, high)
                if item.reverse_coded:
                    answer = low + high - answer
                self.item_answers.add(response_id, item.id, answer_timepoint, answer)
                self.summary.item_answers += 1

    def quiz(self, user_id, module: ModulePlan, timepoint, number, at, person, boost) -> int:
        rng = self.rng
        attempt_id = self.attempts.next_id()
        score = 0
        for question in module.questions:
            p = question.p_pre if timepoint == Timepoint.PRE else question.p_post
            logit = math.log(p / (1 - p)) + person["ability"] + boost
            correct = rng.random() < 1 / (1 + math.exp(-logit))
            if not question.correct:
                correct = False
            if correct or not question.wrong:
                chosen = list(question.correct)
                correct = bool(chosen)
            elif question.allows_many:
                keep = [c for c in question.correct if rng.random() < 0.6]
                chosen = keep + rng.sample(question.wrong, rng.randint(1, len(question.wrong)))
            else:
                chosen = [rng.choice(question.wrong)]
            score += correct
            response_id = self.question_responses.next_id()
            self.question_responses.add(response_id, attempt_id, question.id, correct)
            self.summary.quiz_responses += 1
            for choice_id in chosen:
                self.selections.add(response_id, choice_id)
        self.attempts.add(
            attempt_id,
            user_id,
            module.id,
            timepoint,
            _uuid(rng),
            at,
            module.quiz_id,
            module.quiz_version_id,
            number,
            score,
            len(module.questions),
        )
        return score


def seed_cohort(coaches: int, seed: int, *, now: datetime | None = None) -> CohortSummary:
    """Create ``coaches`` synthetic work coaches and their journeys. Raises
    ``CohortError`` if the curriculum is missing or synthetic coaches already exist."""
    started = time.perf_counter()
    if coaches < 1:
        raise CohortError("--coaches must be at least 1.")
    modules = load_modules()
    if not modules:
        raise CohortError(
            "No module has a published quiz and survey: run load_demo or load_curriculum first."
        )
    if synthetic_users().exists():
        raise CohortError(
            "Synthetic coaches already exist: run again with --clear to replace them."
        )
    offices = list(Office.objects.order_by("pk").values_list("pk", flat=True))
    if not offices:
        raise CohortError("There are no offices: run migrate first.")
    coach_group = Group.objects.get(name=Role.WORK_COACH.value).pk
    leader_group = Group.objects.get(name=Role.TEAM_LEADER.value).pk
    # Dates count back from the start of today (UTC), so a seed gives the same cohort
    # all day, and nothing is dated in the future.
    now = (now or timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    rng = random.Random(seed)  # noqa: S311 synthetic data, not secrets
    plans = plan_modules(rng, modules)
    sizes = office_sizes(rng, offices, coaches)
    assignment = [office for office, size in zip(offices, sizes, strict=True) for _ in range(size)]
    rng.shuffle(assignment)
    # About one in twelve is a team leader, who takes the modules too. Drawn from a
    # second generator so the roles do not shift anyone's answers.
    roles = random.Random(f"roles-{seed}")  # noqa: S311 synthetic data, not secrets
    with transaction.atomic():
        generator = Generator(rng, plans, now)
        for number, office_id in enumerate(assignment, start=1):
            group_id = leader_group if roles.random() < 1 / 12 else coach_group
            generator.coach(number, office_id, group_id)
            if number % CHUNK_COACHES == 0:
                generator.flush()
        generator.flush()
    summary = generator.summary
    summary.seconds = time.perf_counter() - started
    return summary


def _delete(queryset) -> int:
    # A raw delete: these rows have no signals to send, and anything that hangs off
    # them is deleted first, in order, by ``clear_cohort``.
    return queryset._raw_delete(queryset.db)


def clear_cohort() -> int:
    """Delete every synthetic user and everything that hangs off them, leaving real
    users' data alone. Returns how many users were deleted."""
    users = synthetic_users().values("pk")
    with transaction.atomic():
        steps: Iterable = (
            ChoiceSelection.objects.filter(response__attempt__user__in=users),
            QuestionResponse.objects.filter(attempt__user__in=users),
            QuizAttempt.objects.filter(user__in=users),
            ItemAnswer.objects.filter(response__user__in=users),
            SurveyResponse.objects.filter(user__in=users),
            LessonProgress.objects.filter(enrolment__user__in=users),
            Enrolment.objects.filter(user__in=users),
            EvaluationChoice.objects.filter(user__in=users),
            User.groups.through.objects.filter(user__in=users),
            User.user_permissions.through.objects.filter(user__in=users),
        )
        for queryset in steps:
            _delete(queryset)
        # Anything else that points at a user (there should be nothing) goes the
        # ordinary way, through Django's collector.
        deleted, _ = synthetic_users().delete()
    return deleted
