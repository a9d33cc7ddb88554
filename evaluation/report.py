"""One module's evaluation figures: the paired analysis, with disclosure control.

``build_report(ReportRequest(...))`` is the single way figures are produced, for the
evaluator pages and for ``manage.py evaluation_report`` alike, so both always show the
same numbers with the same cells suppressed.

How it works:

1. ``queries.fetch`` counts, in one SQL statement, the combinations of answers given
   by the people in scope, grouped by office (or by role).
2. The groups are arranged in a tree: everyone → regions → offices (or everyone →
   roles). Counts for a region or for everyone are the sums of their offices'.
3. Disclosure control runs over the whole tree at once (``disclosure.suppress``):
   the attrition counts of every group, the people who took the quiz before and after,
   the people followed up, and the people who rated the module. A group's figures are
   shown only where the count of people they rest on is shown. Because the tree is
   always complete, a filtered view (one region, one office) shows exactly what that
   group's row shows in the full breakdown, so comparing views reveals nothing new.
4. The statistics for the groups on show are computed with SciPy
   (``evaluation.statistics``).

Geography and role are never crossed: figures for a role within a region would let a
reader subtract them from the region's total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from accounts.models import Office, Region
from assessments.models import Question, QuizVersion, SurveyItem, SurveyVersion
from common.disclosure import SUPPRESSED, CountTable, default_k, hierarchy_relations, suppress
from content.models import ModulePage

from . import queries, statistics
from .exports.catalogue import load_catalogue

BREAKDOWNS = ("region", "office", "role")
ALL = ("all",)

#: The attrition columns: how the people enrolled split by the survey answers given.
ATTRITION = [
    ("neither", "No survey answers yet"),
    ("pre_only", "Before only"),
    ("post_only", "After only"),
    ("paired", "Before and after (paired)"),
]


class ReportError(ValueError):
    """The request cannot be answered; the message says why in one sentence."""


# The request -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRequest:
    module: ModulePage
    survey_version: SurveyVersion | None = None
    quiz_version: QuizVersion | None = None
    since: date | None = None
    until: date | None = None
    region: Region | None = None
    office: Office | None = None
    role: str | None = None
    by: str | None = None

    def check(self) -> None:
        if self.by and self.by not in BREAKDOWNS:
            raise ReportError(f"Break figures down by region, office or role, not '{self.by}'.")
        if self.since and self.until and self.since > self.until:
            raise ReportError("The start date must be on or before the end date.")
        place = self.region or self.office or self.by in ("region", "office")
        if (self.role or self.by == "role") and place:
            raise ReportError(
                "Choose a role or a place, not both: figures for a role within a place "
                "could reveal small groups."
            )
        if self.role and self.role not in queries.ROLES:
            raise ReportError(f"There is no role called '{self.role}'.")
        if self.office and self.by in ("region", "office"):
            raise ReportError("A single office cannot be broken down further.")
        if self.region and self.by == "region":
            raise ReportError("A single region cannot be broken down by region.")
        if self.region and self.office and self.office.region_id != self.region.pk:
            raise ReportError(f"{self.office.name} is not in {self.region.name}.")

    @property
    def group_by(self) -> str:
        return "role" if (self.role or self.by == "role") else "office"


def survey_versions(module: ModulePage) -> list[SurveyVersion]:
    """Versions of surveys answered in this module, and the module's current one."""
    versions = SurveyVersion.objects.filter(responses__module=module)
    if module.confidence_survey_id:
        versions = versions | SurveyVersion.objects.filter(survey_id=module.confidence_survey_id)
    return list(versions.distinct().select_related("survey").order_by("survey__title", "-number"))


def quiz_versions(module: ModulePage) -> list[QuizVersion]:
    versions = QuizVersion.objects.filter(attempts__module=module)
    if module.quiz_id:
        versions = versions | QuizVersion.objects.filter(quiz_id=module.quiz_id)
    return list(versions.distinct().select_related("quiz").order_by("quiz__title", "-number"))


def default_survey_version(module: ModulePage) -> SurveyVersion | None:
    """The current survey's newest version that has answers here, else its newest."""
    if not module.confidence_survey_id:
        return None
    versions = SurveyVersion.objects.filter(survey_id=module.confidence_survey_id)
    answered = versions.filter(responses__module=module).order_by("-number").first()
    return answered or versions.order_by("-number").first()


def default_quiz_version(module: ModulePage) -> QuizVersion | None:
    if not module.quiz_id:
        return None
    versions = QuizVersion.objects.filter(quiz_id=module.quiz_id)
    answered = versions.filter(attempts__module=module).order_by("-number").first()
    return answered or versions.order_by("-number").first()


# The group tree -----------------------------------------------------------------------


@dataclass
class Group:
    id: tuple
    label: str
    kind: str  # "all", "region", "office" or "role"
    parent: tuple | None = None
    children: list[tuple] = field(default_factory=list)


class Tree:
    """Everyone, then regions and their offices (or roles), with the group key each
    leaf has in the query results."""

    def __init__(self, group_by: str, present: set):
        self.groups: dict[tuple, Group] = {ALL: Group(ALL, "All coaches", "all")}
        self.leaf_for: dict[Hashable, tuple] = {}
        if group_by == "role":
            for role in queries.ROLES:
                if role == "Other" and role not in present:
                    continue
                self._add(("role", role), role, "role", ALL)
                self.leaf_for[role] = ("role", role)
            return
        for office in Office.objects.select_related("region").order_by("region__name", "name"):
            region_id = ("region", office.region_id)
            if region_id not in self.groups:
                self._add(region_id, office.region.name, "region", ALL)
            self._add(("office", office.pk), office.name, "office", region_id)
            self.leaf_for[office.pk] = ("office", office.pk)
        if queries.NO_OFFICE in present:
            self._add(("region", 0), "No office recorded", "region", ALL)
            self._add(("office", 0), "No office recorded", "office", ("region", 0))
            self.leaf_for[queries.NO_OFFICE] = ("office", 0)

    def _add(self, node: tuple, label: str, kind: str, parent: tuple) -> None:
        self.groups[node] = Group(node, label, kind, parent)
        self.groups[parent].children.append(node)

    def leaves_under(self, node: tuple) -> list[tuple]:
        group = self.groups[node]
        if not group.children:
            return [node]
        return [leaf for child in group.children for leaf in self.leaves_under(child)]

    def children_map(self) -> dict[tuple, list[tuple]]:
        return {node: group.children for node, group in self.groups.items() if group.children}


# Results ------------------------------------------------------------------------------


@dataclass
class ValueShare:
    value: int
    label: str
    percent: float | None


@dataclass
class ItemResult:
    item_id: int
    item_key: str
    position: int
    statement: str
    competency: str
    reverse_coded: bool
    suppressed: bool = False
    follow_up_suppressed: bool = False
    n_pairs: int = 0
    change: statistics.Change | None = None
    mean_then: float | None = None
    median_then: float | None = None
    n_follow_up: int = 0
    mean_follow_up: float | None = None
    median_follow_up: float | None = None
    wilcoxon_p: float | None = None
    rank_biserial: float | None = None
    shift_then_pre: statistics.Change | None = None
    shift_post_then: statistics.Change | None = None
    shift_post_then_p: float | None = None
    distribution_pre: list[ValueShare] = field(default_factory=list)
    distribution_post: list[ValueShare] = field(default_factory=list)

    def percent(self, count: int) -> float | None:
        return 100 * count / self.n_pairs if self.n_pairs else None


@dataclass
class ScaleResult:
    key: str
    label: str
    items: int
    suppressed: bool = False
    follow_up_suppressed: bool = False
    n: int = 0
    change: statistics.Change | None = None
    test: statistics.PairedT | None = None
    mean_then: float | None = None
    n_follow_up: int = 0
    mean_follow_up: float | None = None
    shift_then_pre: statistics.Change | None = None
    shift_post_then: statistics.Change | None = None
    shift_post_then_test: statistics.PairedT | None = None


@dataclass
class QuestionResult:
    question_id: int
    question_key: str
    position: int
    text: str
    suppressed: bool = False
    result: statistics.McNemar | None = None

    @property
    def percent_before(self) -> float | None:
        r = self.result
        return 100 * r.correct_before / r.n if r and r.n else None

    @property
    def percent_after(self) -> float | None:
        r = self.result
        return 100 * r.correct_after / r.n if r and r.n else None


@dataclass
class Knowledge:
    suppressed: bool = False
    n: int = 0
    change: statistics.Change | None = None  # per cent correct, per person
    test: statistics.PairedT | None = None
    wilcoxon_p: float | None = None
    questions: list[QuestionResult] = field(default_factory=list)


@dataclass
class Reaction:
    suppressed: bool = False
    n: int = 0
    mean: float | None = None
    median: float | None = None
    distribution: list[ValueShare] = field(default_factory=list)


REACTION_LABELS = {
    1: "Not at all useful",
    2: "Slightly useful",
    3: "Moderately useful",
    4: "Very useful",
    5: "Extremely useful",
}


@dataclass
class GroupReport:
    """Every figure for one group of people (everyone, a region, an office, a role)."""

    node: tuple
    label: str
    kind: str
    attrition: dict[str, int | str]  # column -> count, or "[c]"
    items: list[ItemResult]
    scales: list[ScaleResult]
    knowledge: Knowledge
    reaction: Reaction


@dataclass
class Report:
    request: ReportRequest
    k: int
    survey_version: SurveyVersion | None
    quiz_version: QuizVersion | None
    main: GroupReport
    breakdown: list[GroupReport]
    scale_values: list[tuple[int, str]]


# Building -----------------------------------------------------------------------------


def build_report(request: ReportRequest, k: int | None = None) -> Report:
    request.check()
    k = default_k() if k is None else k
    module = request.module
    survey_version = request.survey_version or default_survey_version(module)
    quiz_version = request.quiz_version or default_quiz_version(module)
    scope = queries.Scope(
        module_id=module.pk,
        survey_version_id=survey_version.pk if survey_version else None,
        quiz_version_id=quiz_version.pk if quiz_version else None,
        since=request.since,
        until=request.until,
        group_by=request.group_by,
    )
    scale_min = survey_version.scale_min if survey_version else 1
    scale_max = survey_version.scale_max if survey_version else 5
    frequencies = queries.fetch(scope, scale_min, scale_max)
    present = {row[0] for row in frequencies.attrition}
    tree = Tree(request.group_by, present)
    data = _ByLeaf(tree, frequencies)
    hidden = _suppression(tree, data, k)

    main_node = _main_node(request)
    if main_node not in tree.groups:
        raise ReportError("There is no such group.")
    shown_nodes = [main_node]
    if request.by:
        kind = request.by
        shown_nodes += [
            node
            for node, group in tree.groups.items()
            if group.kind == kind and (main_node == ALL or node in tree.leaves_under(main_node))
        ]

    items = list(SurveyItem.objects.filter(version=survey_version)) if survey_version else []
    questions = list(Question.objects.filter(version=quiz_version)) if quiz_version else []
    # The same item keys as in the exports.
    catalogue = load_catalogue([module.pk])
    keys = {("survey", pk): item.item_key for pk, item in catalogue.survey_items.items()}
    keys |= {("quiz", pk): item.item_key for pk, item in catalogue.quiz_items.items()}
    builder = _Builder(tree, data, hidden, k, survey_version, items, questions, keys)
    reports = [builder.group(node) for node in shown_nodes]
    return Report(
        request=request,
        k=k,
        survey_version=survey_version,
        quiz_version=quiz_version,
        main=reports[0],
        breakdown=reports[1:],
        scale_values=survey_version.scale_options if survey_version else [],
    )


def _main_node(request: ReportRequest) -> tuple:
    if request.office:
        return ("office", request.office.pk)
    if request.region:
        return ("region", request.region.pk)
    if request.role:
        return ("role", request.role)
    return ALL


class _ByLeaf:
    """The query rows filed under the tree's leaves, with counts per group."""

    def __init__(self, tree: Tree, frequencies: queries.Frequencies):
        self.tree = tree
        self.rows: dict[str, dict[tuple, list[tuple]]] = {}
        for part in ("attrition", "items", "scales", "quiz_people", "quiz_questions", "reactions"):
            by_leaf: dict[tuple, list[tuple]] = defaultdict(list)
            for row in getattr(frequencies, part):
                leaf = tree.leaf_for.get(row[0])
                if leaf is not None:
                    by_leaf[leaf].append(row)
            self.rows[part] = by_leaf

    def under(self, part: str, node: tuple) -> list[tuple]:
        return [
            row for leaf in self.tree.leaves_under(node) for row in self.rows[part].get(leaf, [])
        ]

    def counts(self, node: tuple) -> dict[str, int]:
        """People per attrition column, followed up, quiz pairs and ratings."""
        counts = dict.fromkeys(
            ["enrolled", *[key for key, _ in ATTRITION], "followed_up", "quiz", "rated"], 0
        )
        # Row shape: (grp, _, _, has_pre, has_post, has_fu, …, people).
        for row in self.under("attrition", node):
            has_pre, has_post, has_fu, people = row[3], row[4], row[5], row[-1]
            counts["enrolled"] += people
            if has_pre and has_post:
                counts["paired"] += people
                if has_fu:
                    counts["followed_up"] += people
            elif has_pre:
                counts["pre_only"] += people
            elif has_post:
                counts["post_only"] += people
            else:
                counts["neither"] += people
        counts["quiz"] = sum(row[-1] for row in self.under("quiz_people", node))
        counts["rated"] = sum(row[-1] for row in self.under("reactions", node))
        return counts


def _suppression(tree: Tree, data: _ByLeaf, k: int) -> set:
    """Every group's counts in one table, with the sums a reader can see: each row's
    attrition columns add up to its enrolled count, and every column adds up the
    tree (offices to their region, regions to everyone)."""
    values: dict[tuple, int] = {}
    for node in tree.groups:
        for column, count in data.counts(node).items():
            values[(node, column)] = count
    relations = [
        ((node, "enrolled"), [(node, key) for key, _ in ATTRITION]) for node in tree.groups
    ]
    children = tree.children_map()
    for column in ["enrolled", *[key for key, _ in ATTRITION], "followed_up", "quiz", "rated"]:
        relations += [
            ((parent, column), [(child, column) for child in kids])
            for parent, kids in hierarchy_relations(children)
        ]
    return suppress(CountTable(values=values, relations=relations), k)


class _Builder:
    def __init__(self, tree, data, hidden, k, survey_version, items, questions, keys):
        self.tree = tree
        self.data = data
        self.hidden = hidden
        self.k = k
        self.version = survey_version
        self.items = items
        self.questions = questions
        self.keys = keys

    def is_hidden(self, node, column) -> bool:
        return (node, column) in self.hidden

    def group(self, node: tuple) -> GroupReport:
        group = self.tree.groups[node]
        counts = self.data.counts(node)
        attrition = {
            column: (SUPPRESSED if self.is_hidden(node, column) else counts[column])
            for column in ["enrolled", *[key for key, _ in ATTRITION], "followed_up"]
        }
        return GroupReport(
            node=node,
            label=group.label,
            kind=group.kind,
            attrition=attrition,
            items=self.item_results(node),
            scales=self.scale_results(node),
            knowledge=self.knowledge(node),
            reaction=self.reaction(node),
        )

    # Confidence items ----------------------------------------------------------------

    def scored(self, item: SurveyItem, values: np.ndarray) -> np.ndarray:
        if item.reverse_coded:
            return self.version.scale_min + self.version.scale_max - values
        return values

    def item_results(self, node) -> list[ItemResult]:
        rows_by_item: dict[int, list[tuple]] = defaultdict(list)
        # Row shape: (grp, item_id, _, pre, post, then, follow_up, …, people).
        for row in self.data.under("items", node):
            rows_by_item[row[1]].append(row)
        paired_hidden = self.is_hidden(node, "paired")
        follow_up_hidden = self.is_hidden(node, "followed_up")
        results = []
        for item in self.items:
            result = ItemResult(
                item_id=item.pk,
                item_key=self.keys.get(("survey", item.pk), f"item_{item.position:02d}"),
                position=item.position,
                statement=item.statement,
                competency=item.competency,
                reverse_coded=item.reverse_coded,
            )
            rows = rows_by_item.get(item.pk, [])
            n = sum(row[-1] for row in rows)
            # Every item is answered by every paired person; an item answered by
            # fewer is suppressed on its own count as well.
            result.suppressed = paired_hidden or (0 < n < self.k)
            result.follow_up_suppressed = result.suppressed or follow_up_hidden
            if not result.suppressed and n:
                self.fill_item(result, item, rows)
            results.append(result)
        return results

    def fill_item(self, result: ItemResult, item: SurveyItem, rows: list[tuple]) -> None:
        counts = np.array([row[-1] for row in rows])
        pre = self.scored(item, statistics.expand([row[3] for row in rows], counts))
        post = self.scored(item, statistics.expand([row[4] for row in rows], counts))
        result.n_pairs = int(counts.sum())
        result.change = statistics.paired_change(pre, post)
        result.wilcoxon_p = statistics.wilcoxon_p(pre, post)
        result.rank_biserial = statistics.rank_biserial(pre, post)
        result.distribution_pre = self.distribution(rows, 3)
        result.distribution_post = self.distribution(rows, 4)

        with_then = [row for row in rows if row[5] is not None]
        if with_then:
            weights = np.array([row[-1] for row in with_then])
            then = self.scored(item, statistics.expand([row[5] for row in with_then], weights))
            then_pre = self.scored(item, statistics.expand([row[3] for row in with_then], weights))
            then_post = self.scored(item, statistics.expand([row[4] for row in with_then], weights))
            result.mean_then = statistics.mean(then)
            result.median_then = statistics.median(then)
            result.shift_then_pre = statistics.paired_change(then_pre, then)
            result.shift_post_then = statistics.paired_change(then, then_post)
            result.shift_post_then_p = statistics.wilcoxon_p(then, then_post)

        if not result.follow_up_suppressed:
            with_fu = [row for row in rows if row[6] is not None]
            weights = np.array([row[-1] for row in with_fu], dtype=np.int64)
            follow_up = self.scored(item, statistics.expand([row[6] for row in with_fu], weights))
            result.n_follow_up = int(weights.sum())
            result.mean_follow_up = statistics.mean(follow_up)
            result.median_follow_up = statistics.median(follow_up)

    def distribution(self, rows: list[tuple], column: int) -> list[ValueShare]:
        """The share of paired people giving each answer, as answered (not scored)."""
        totals: dict[int, int] = defaultdict(int)
        for row in rows:
            totals[row[column]] += row[-1]
        n = sum(totals.values())
        return [
            ValueShare(value, label, 100 * totals.get(value, 0) / n if n else None)
            for value, label in self.version.scale_options
        ]

    # Scale scores ---------------------------------------------------------------------

    def scale_results(self, node) -> list[ScaleResult]:
        if not self.items:
            return []
        sizes: dict[str, int] = defaultdict(int)
        for item in self.items:
            if item.competency:
                sizes[item.competency] += 1
        scales = [(name, name.replace("-", " ").capitalize(), size) for name, size in sizes.items()]
        scales.append(("", "All items", len(self.items)))
        rows_by_scale: dict[str, list[tuple]] = defaultdict(list)
        # Row shape: (grp, items, competency, n_then, n_fu, sum_pre, sum_post,
        # sum_then, sum_fu, …, people); competency NULL for the all-items scale.
        for row in self.data.under("scales", node):
            rows_by_scale[row[2] or ""].append(row)
        hidden = self.is_hidden(node, "paired")
        fu_hidden = self.is_hidden(node, "followed_up")
        results = []
        for key, label, size in scales:
            result = ScaleResult(key=key or "all", label=label, items=size)
            # Only people who answered every item of the scale before and after.
            rows = [row for row in rows_by_scale.get(key, []) if row[1] == size]
            n = sum(row[-1] for row in rows)
            result.suppressed = hidden or (0 < n < self.k)
            result.follow_up_suppressed = result.suppressed or fu_hidden
            if not result.suppressed and n:
                self.fill_scale(result, rows, size)
            results.append(result)
        return results

    def fill_scale(self, result: ScaleResult, rows: list[tuple], size: int) -> None:
        counts = np.array([row[-1] for row in rows])
        pre = statistics.expand([row[5] / size for row in rows], counts)
        post = statistics.expand([row[6] / size for row in rows], counts)
        result.n = int(counts.sum())
        result.change = statistics.paired_change(pre, post)
        result.test = statistics.paired_t(pre, post)
        with_then = [row for row in rows if row[3] == size]
        if with_then:
            weights = np.array([row[-1] for row in with_then])
            then = statistics.expand([row[7] / size for row in with_then], weights)
            then_pre = statistics.expand([row[5] / size for row in with_then], weights)
            then_post = statistics.expand([row[6] / size for row in with_then], weights)
            result.mean_then = statistics.mean(then)
            result.shift_then_pre = statistics.paired_change(then_pre, then)
            result.shift_post_then = statistics.paired_change(then, then_post)
            result.shift_post_then_test = statistics.paired_t(then, then_post)
        if not result.follow_up_suppressed:
            with_fu = [row for row in rows if row[4] == size]
            weights = np.array([row[-1] for row in with_fu], dtype=np.int64)
            result.n_follow_up = int(weights.sum())
            result.mean_follow_up = statistics.mean(
                statistics.expand([row[8] / size for row in with_fu], weights)
            )

    # Knowledge and reaction ----------------------------------------------------------

    def knowledge(self, node) -> Knowledge:
        result = Knowledge(suppressed=self.is_hidden(node, "quiz"))
        if result.suppressed:
            result.questions = [self.question(q, suppressed=True) for q in self.questions]
            return result
        # Row shape: (grp, _, _, pre_score, post_score, max_score, …, people).
        rows = [row for row in self.data.under("quiz_people", node) if row[5]]
        if rows:
            weights = np.array([row[-1] for row in rows])
            pre = statistics.expand([100 * row[3] / row[5] for row in rows], weights)
            post = statistics.expand([100 * row[4] / row[5] for row in rows], weights)
            result.n = int(weights.sum())
            result.change = statistics.paired_change(pre, post)
            result.test = statistics.paired_t(pre, post)
            result.wilcoxon_p = statistics.wilcoxon_p(pre, post)
        tables: dict[int, dict[tuple[int, int], int]] = defaultdict(lambda: defaultdict(int))
        # Row shape: (grp, question_id, _, correct_before, correct_after, …, people).
        for row in self.data.under("quiz_questions", node):
            tables[row[1]][(row[3], row[4])] += row[-1]
        result.questions = [self.question(q, table=tables.get(q.pk)) for q in self.questions]
        return result

    def question(self, question: Question, suppressed=False, table=None) -> QuestionResult:
        result = QuestionResult(
            question_id=question.pk,
            question_key=self.keys.get(("quiz", question.pk), f"question_{question.position:02d}"),
            position=question.position,
            text=question.text,
            suppressed=suppressed,
        )
        if not suppressed and table:
            n = sum(table.values())
            if 0 < n < self.k:
                result.suppressed = True
            else:
                result.result = statistics.mcnemar(
                    both=table.get((1, 1), 0),
                    only_before=table.get((1, 0), 0),
                    only_after=table.get((0, 1), 0),
                    neither=table.get((0, 0), 0),
                )
        return result

    def reaction(self, node) -> Reaction:
        result = Reaction(suppressed=self.is_hidden(node, "rated"))
        if result.suppressed:
            return result
        totals: dict[int, int] = defaultdict(int)
        # Row shape: (grp, rating, …, people).
        for row in self.data.under("reactions", node):
            totals[row[1]] += row[-1]
        result.n = sum(totals.values())
        if result.n:
            ratings = statistics.expand(list(totals), list(totals.values()))
            result.mean = statistics.mean(ratings)
            result.median = statistics.median(ratings)
        result.distribution = [
            ValueShare(value, label, 100 * totals.get(value, 0) / result.n if result.n else None)
            for value, label in REACTION_LABELS.items()
        ]
        return result


def iter_groups(report: Report) -> Iterable[GroupReport]:
    yield report.main
    yield from report.breakdown
