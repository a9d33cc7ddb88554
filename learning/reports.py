"""Cohort figures for trainers: totals per module and per quiz question, never people.

Every figure is counted by the database (``aggregate``/``annotate`` with filtered
``Count`` and ``Avg``), so each function runs a fixed number of queries however many
coaches there are:

- ``module_funnel(module)``: how many people reached each step of one module, and the
  average usefulness rating (1 query);
- ``module_funnels(modules)``: the same for many modules at once (1 query);
- ``quiz_item_analysis(module)``: the share answering each quiz question correctly
  before the module (first baseline attempt) and after it (each person's last post
  attempt), with questions paired across quiz versions by their block id (2 queries).

Nothing here returns a name, an email address or any other way to tell who is who.
The funnel counts everyone's progress; quiz answers and usefulness ratings leave out
people who opted out of evaluation use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Avg, Count, Exists, OuterRef, Q

from assessments.models import Question, QuestionResponse, QuizAttempt, Timepoint
from content.models import ModulePage

from .journey import ORDER
from .models import Enrolment, Step
from .services import opted_out_user_ids


def percent(count: int, total: int) -> float | None:
    """``count`` as a percentage of ``total``, to one decimal place; None when there
    is nobody to count."""
    if not total:
        return None
    return round(100 * count / total, 1)


def _steps_from(step: Step) -> list[str]:
    """The step and every step after it in the journey."""
    return [s.value for s in ORDER[ORDER.index(step) :]]


# Funnel ----------------------------------------------------------------------------

#: (key, label) of each funnel stage, in order.
FUNNEL_STAGES = [
    ("enrolled", "Enrolled"),
    ("baseline_done", "Baseline done"),
    ("lessons_done", "Lessons done"),
    ("post_done", "Post-module quiz done"),
    ("completed", "Completed"),
    ("followed_up", "Followed up"),
]


def _funnel_aggregates(prefix: str = "") -> dict:
    """The funnel as aggregate expressions over enrolments; ``prefix`` is the path to
    the enrolment from the model being aggregated (``"enrolments__"`` from a module)."""

    def field(name):
        return f"{prefix}{name}"

    counted = field("pk")
    rated = ~Q(**{field("user_id__in"): opted_out_user_ids()})
    return {
        "enrolled": Count(counted),
        # Baseline survey and quiz done: the coach has reached the lessons.
        "baseline_done": Count(counted, filter=Q(**{field("step__in"): _steps_from(Step.LESSONS)})),
        "lessons_done": Count(counted, filter=Q(**{field("lessons_completed_at__isnull"): False})),
        # Post quiz passed, or all attempts used: the coach has gone on past it.
        "post_done": Count(counted, filter=Q(**{field("step__in"): _steps_from(Step.POST_SURVEY)})),
        "completed": Count(counted, filter=Q(**{field("completed_at__isnull"): False})),
        "followed_up": Count(counted, filter=Q(**{field("followed_up_at__isnull"): False})),
        # Ratings are answers: people who opted out of evaluation are not counted.
        "reaction_average": Avg(field("reaction_rating"), filter=rated),
        "reaction_n": Count(field("reaction_rating"), filter=rated),
    }


@dataclass(frozen=True)
class FunnelStage:
    key: str
    label: str
    count: int
    enrolled: int

    @property
    def percent(self) -> float | None:
        return percent(self.count, self.enrolled)


@dataclass(frozen=True)
class ModuleFunnel:
    module_id: int
    title: str
    enrolled: int = 0
    baseline_done: int = 0
    lessons_done: int = 0
    post_done: int = 0
    completed: int = 0
    followed_up: int = 0
    reaction_average: float | None = None
    reaction_n: int = 0

    @classmethod
    def from_counts(cls, module_id: int, title: str, counts: dict) -> ModuleFunnel:
        average = counts.get("reaction_average")
        return cls(
            module_id=module_id,
            title=title,
            enrolled=counts.get("enrolled") or 0,
            baseline_done=counts.get("baseline_done") or 0,
            lessons_done=counts.get("lessons_done") or 0,
            post_done=counts.get("post_done") or 0,
            completed=counts.get("completed") or 0,
            followed_up=counts.get("followed_up") or 0,
            reaction_average=round(float(average), 2) if average is not None else None,
            reaction_n=counts.get("reaction_n") or 0,
        )

    @property
    def stages(self) -> list[FunnelStage]:
        return [
            FunnelStage(key, label, getattr(self, key), self.enrolled)
            for key, label in FUNNEL_STAGES
        ]

    @property
    def baseline_done_percent(self) -> float | None:
        return percent(self.baseline_done, self.enrolled)

    @property
    def lessons_done_percent(self) -> float | None:
        return percent(self.lessons_done, self.enrolled)

    @property
    def post_done_percent(self) -> float | None:
        return percent(self.post_done, self.enrolled)

    @property
    def completed_percent(self) -> float | None:
        return percent(self.completed, self.enrolled)

    @property
    def followed_up_percent(self) -> float | None:
        return percent(self.followed_up, self.enrolled)


def module_funnel(module: ModulePage) -> ModuleFunnel:
    """How many people reached each step of ``module``, in one query."""
    counts = Enrolment.objects.filter(module_id=module.pk).aggregate(**_funnel_aggregates())
    return ModuleFunnel.from_counts(module.pk, module.title, counts)


def module_funnels(modules: Iterable[ModulePage] | None = None) -> list[ModuleFunnel]:
    """The funnel of every module (or of ``modules``), in tree order, in one query."""
    queryset = ModulePage.objects.all()
    if modules is not None:
        queryset = queryset.filter(pk__in=[module.pk for module in modules])
    rows = (
        queryset.order_by("path")
        .annotate(**_funnel_aggregates("enrolments__"))
        .values("pk", "title", *(key for key in _funnel_aggregates()))
    )
    return [ModuleFunnel.from_counts(row["pk"], row["title"], row) for row in rows]


# Quiz item analysis ----------------------------------------------------------------


@dataclass(frozen=True)
class QuestionAnalysis:
    """One question, paired across quiz versions by its block id."""

    block_id: str
    position: int
    text: str
    versions: tuple[int, ...]
    pre_correct: int = 0
    pre_n: int = 0
    post_correct: int = 0
    post_n: int = 0

    @property
    def pre_percent(self) -> float | None:
        return percent(self.pre_correct, self.pre_n)

    @property
    def post_percent(self) -> float | None:
        return percent(self.post_correct, self.post_n)

    @property
    def change(self) -> float | None:
        """After minus before, in percentage points."""
        if self.pre_percent is None or self.post_percent is None:
            return None
        return round(self.post_percent - self.pre_percent, 1)

    @property
    def versions_display(self) -> str:
        return ", ".join(str(number) for number in self.versions)


@dataclass(frozen=True)
class QuizItemAnalysis:
    module_id: int
    quiz_id: int | None
    latest_version: int | None
    questions: list[QuestionAnalysis]


def _question_rows(quiz_id: int) -> tuple[int | None, list[dict]]:
    """Each question block of the quiz once, worded and placed as in the latest
    version it appears in, with the numbers of the versions it appears in."""
    questions = (
        Question.objects.filter(version__quiz_id=quiz_id)
        .order_by("version__number", "position")
        .values("block_id", "position", "text", "version__number")
    )
    blocks: dict[str, dict] = {}
    latest = None
    for question in questions:
        number = question["version__number"]
        latest = number
        block = blocks.setdefault(question["block_id"], {"versions": []})
        block.update(position=question["position"], text=question["text"], last=number)
        block["versions"].append(number)
    # The latest version's questions in its order, then any dropped since, most
    # recently dropped first.
    ordered = sorted(blocks.items(), key=lambda item: (-item[1]["last"], item[1]["position"]))
    return latest, [{"block_id": block_id, **block} for block_id, block in ordered]


def _response_counts(module: ModulePage) -> dict[str, dict]:
    """Per question block: answers and correct answers at the first baseline attempt,
    and at each person's last post-module attempt. One query."""
    later_post_attempt = QuizAttempt.objects.filter(
        user_id=OuterRef("attempt__user_id"),
        module_id=OuterRef("attempt__module_id"),
        quiz_id=OuterRef("attempt__quiz_id"),
        timepoint=Timepoint.POST,
        number__gt=OuterRef("attempt__number"),
    )
    before = Q(attempt__timepoint=Timepoint.PRE, attempt__number=1)
    after = Q(attempt__timepoint=Timepoint.POST, later_post_attempt=False)
    correct = Q(is_correct=True)
    rows = (
        QuestionResponse.objects.filter(
            attempt__module_id=module.pk, attempt__quiz_id=module.quiz_id
        )
        # Answers are evaluation data: people who opted out are not counted.
        .exclude(attempt__user_id__in=opted_out_user_ids())
        .alias(later_post_attempt=Exists(later_post_attempt))
        .filter(before | after)
        .order_by()
        .values("question__block_id")
        .annotate(
            pre_n=Count("pk", filter=before),
            pre_correct=Count("pk", filter=before & correct),
            post_n=Count("pk", filter=after),
            post_correct=Count("pk", filter=after & correct),
        )
    )
    return {row.pop("question__block_id"): row for row in rows}


def quiz_item_analysis(module: ModulePage) -> QuizItemAnalysis:
    """Per question of the module's quiz, the share correct before and after the
    module, with the number answering each time. Two queries (none without a quiz)."""
    if module.quiz_id is None:
        return QuizItemAnalysis(module.pk, None, None, [])
    latest, blocks = _question_rows(module.quiz_id)
    counts = _response_counts(module)
    questions = [
        QuestionAnalysis(
            block_id=block["block_id"],
            position=block["position"],
            text=block["text"],
            versions=tuple(block["versions"]),
            **counts.get(block["block_id"], {}),
        )
        for block in blocks
    ]
    return QuizItemAnalysis(module.pk, module.quiz_id, latest, questions)
