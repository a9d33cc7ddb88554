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

Small numbers are hidden with the evaluators' rule and threshold
(``common.disclosure``, k = ``EVALUATION_DISCLOSURE_K``): every count of people a
trainer can see or work out is a cell of a ``CountTable`` (``funnel_table``,
``questions_table``), with the sums between them as relations, and ``suppress``
decides which to hide. A hidden count becomes ``SUPPRESSED`` ("[c]"), and so does
every figure that rests on it (its percentage, the average rating, the change).
``module_funnel(module, k=1)`` gives the raw figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Avg, Count, Exists, OuterRef, Q

from assessments.models import Question, QuestionResponse, QuizAttempt, Timepoint
from common.disclosure import SUPPRESSED, CountTable, default_k, suppress
from content.models import ModulePage

from .journey import ORDER
from .models import Enrolment, Step
from .services import opted_out_user_ids

#: A count, or SUPPRESSED where it is hidden.
CountOrHidden = int | str


def percent(count: CountOrHidden, total: CountOrHidden) -> float | str | None:
    """``count`` as a percentage of ``total``, to one decimal place; None when there
    is nobody to count; SUPPRESSED when either is hidden."""
    if SUPPRESSED in (count, total):
        return SUPPRESSED
    if not total:
        return None
    return round(100 * count / total, 1)


def _hidden_figure(value) -> bool:
    return value == SUPPRESSED


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
    enrolled: CountOrHidden = 0
    baseline_done: CountOrHidden = 0
    lessons_done: CountOrHidden = 0
    post_done: CountOrHidden = 0
    completed: CountOrHidden = 0
    followed_up: CountOrHidden = 0
    reaction_average: float | str | None = None
    reaction_n: CountOrHidden = 0

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

    @property
    def rating_hidden(self) -> bool:
        return _hidden_figure(self.reaction_n)


def funnel_table(funnel: ModuleFunnel) -> CountTable:
    """The counts of people a reader of one module's funnel can see or work out.

    Each stage is a cell, and so is the number who stopped between a stage and the
    next (``("stopped", stage)``): the stages are nested, so a reader gets it by
    subtraction. The number of ratings stands alone.
    """
    keys = [key for key, _ in FUNNEL_STAGES]
    values: dict = {key: getattr(funnel, key) for key in keys}
    relations = []
    for stage, next_stage in zip(keys, keys[1:], strict=False):
        stopped = values[stage] - values[next_stage]
        if stopped >= 0:  # always, unless the records disagree with the journey
            values[("stopped", stage)] = stopped
            relations.append((stage, [next_stage, ("stopped", stage)]))
    values["reaction_n"] = funnel.reaction_n
    return CountTable(values=values, relations=relations)


def _publish_funnel(funnel: ModuleFunnel, k: int) -> ModuleFunnel:
    hidden = {cell for cell in suppress(funnel_table(funnel), k) if isinstance(cell, str)}
    if not hidden:
        return funnel
    changes: dict = dict.fromkeys(hidden, SUPPRESSED)
    if "reaction_n" in hidden:
        changes["reaction_average"] = SUPPRESSED
    return replace(funnel, **changes)


def module_funnel(module: ModulePage, k: int | None = None) -> ModuleFunnel:
    """How many people reached each step of ``module``, in one query, with counts
    under ``k`` (the disclosure setting by default) hidden."""
    counts = Enrolment.objects.filter(module_id=module.pk).aggregate(**_funnel_aggregates())
    funnel = ModuleFunnel.from_counts(module.pk, module.title, counts)
    return _publish_funnel(funnel, default_k() if k is None else k)


def module_funnels(
    modules: Iterable[ModulePage] | None = None, k: int | None = None
) -> list[ModuleFunnel]:
    """The funnel of every module (or of ``modules``), in tree order, in one query,
    each with its small counts hidden exactly as ``module_funnel`` hides them."""
    queryset = ModulePage.objects.all()
    if modules is not None:
        queryset = queryset.filter(pk__in=[module.pk for module in modules])
    rows = (
        queryset.order_by("path")
        .annotate(**_funnel_aggregates("enrolments__"))
        .values("pk", "title", *(key for key in _funnel_aggregates()))
    )
    k = default_k() if k is None else k
    return [
        _publish_funnel(ModuleFunnel.from_counts(row["pk"], row["title"], row), k) for row in rows
    ]


# Quiz item analysis ----------------------------------------------------------------


@dataclass(frozen=True)
class QuestionAnalysis:
    """One question, paired across quiz versions by its block id."""

    block_id: str
    position: int
    text: str
    versions: tuple[int, ...]
    pre_correct: CountOrHidden = 0
    pre_n: CountOrHidden = 0
    post_correct: CountOrHidden = 0
    post_n: CountOrHidden = 0

    @property
    def pre_percent(self) -> float | None:
        return percent(self.pre_correct, self.pre_n)

    @property
    def post_percent(self) -> float | None:
        return percent(self.post_correct, self.post_n)

    @property
    def change(self) -> float | None:
        """After minus before, in percentage points."""
        if SUPPRESSED in (self.pre_percent, self.post_percent):
            return SUPPRESSED
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


def _response_counts(module: ModulePage) -> dict[tuple[str, int], dict]:
    """Per question block and quiz version: answers and correct answers at the first
    baseline attempt, and at each person's last post-module attempt. One query."""
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
        .values("question__block_id", "question__version__number")
        .annotate(
            pre_n=Count("pk", filter=before),
            pre_correct=Count("pk", filter=before & correct),
            post_n=Count("pk", filter=after),
            post_correct=Count("pk", filter=after & correct),
        )
    )
    return {
        (row.pop("question__block_id"), row.pop("question__version__number")): row for row in rows
    }


def _totals(counts: dict[tuple[str, int], dict]) -> dict[str, dict]:
    """The counts per question block, over all versions."""
    totals: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for (block_id, _), row in counts.items():
        for name, count in row.items():
            totals[block_id][name] += count
    return totals


def questions_table(questions: list[QuestionAnalysis], by_version: dict) -> CountTable:
    """The counts of people behind the quiz questions a reader can see or work out.

    Per question, the number who answered before (``("pre", block)``) and after
    (``("post", block)``). Everyone taking a quiz version answers all its questions,
    so each count is the sum of the people who took each version the question is in
    (``("pre", version)``): a question kept from version 1 to 2 counts both, one
    dropped after version 1 counts only the first, and their difference is the
    people on version 2. Those per-version counts are cells too, so that no
    difference between two questions gives away a small group.
    """
    values: dict = {}
    relations = []
    for when in ("pre", "post"):
        takers: dict[int, int] = {}
        for (_, version), row in by_version.items():
            takers[version] = max(takers.get(version, 0), row[f"{when}_n"])
        for version, count in takers.items():
            values[(when, version)] = count
        for question in questions:
            total = getattr(question, f"{when}_n")
            values[(when, question.block_id)] = total
            parts = [(when, version) for version in question.versions if version in takers]
            if parts and total == sum(values[part] for part in parts):
                relations.append(((when, question.block_id), parts))
    return CountTable(values=values, relations=relations)


def _publish_question(question: QuestionAnalysis, hidden: set) -> QuestionAnalysis:
    changes: dict = {}
    for when in ("pre", "post"):
        if (when, question.block_id) in hidden:
            changes[f"{when}_n"] = changes[f"{when}_correct"] = SUPPRESSED
    return replace(question, **changes) if changes else question


def quiz_item_analysis(module: ModulePage, k: int | None = None) -> QuizItemAnalysis:
    """Per question of the module's quiz, the share correct before and after the
    module, with the number answering each time. Two queries (none without a quiz).

    Where fewer than ``k`` people (the disclosure setting by default) answered, or
    the count has to be hidden so that a small one cannot be worked out, the count,
    the number correct and the percentage are all ``SUPPRESSED``."""
    if module.quiz_id is None:
        return QuizItemAnalysis(module.pk, None, None, [])
    latest, blocks = _question_rows(module.quiz_id)
    by_version = _response_counts(module)
    counts = _totals(by_version)
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
    hidden = suppress(questions_table(questions, by_version), default_k() if k is None else k)
    questions = [_publish_question(question, hidden) for question in questions]
    return QuizItemAnalysis(module.pk, module.quiz_id, latest, questions)
