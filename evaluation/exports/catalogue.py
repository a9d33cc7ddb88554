"""The names in an export: instruments, their items, and the wide file's columns.

Item keys
---------
Every survey statement and quiz question gets an ``item_key`` that is readable, the
same in every export, and a valid SPSS and Stata variable name even with the longest
timepoint suffix added (``_follow_up``, so keys are at most 22 characters):

``<prefix>_q<NN>``  a survey statement; ``<prefix>_k<NN>``  a quiz question.

The prefix is the initials of the instrument's key (``disclosure-conversations-survey``
→ ``dcs``), at most six letters; if two instruments of the same kind share initials,
every one but the oldest also carries its id (``dcs7``). ``NN`` is the statement's
position in the first version it appeared in. A statement keeps its key in later
versions (versions share statements by the authoring block's stable id), so answers
to version 1 and version 2 pair up in the wide file. A statement first published in
version 2 or later is ``<prefix>_v<N>q<NN>`` (or ``…_v<N>k<NN>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assessments.models import (
    ConfidenceSurvey,
    Question,
    Quiz,
    QuizAttempt,
    SurveyItem,
    SurveyResponse,
    Timepoint,
)
from common.spreadsheets import neutralise
from content.models import ModulePage
from learning.services import REACTION_CHOICES

SURVEY_TIMEPOINTS = (Timepoint.PRE, Timepoint.POST, Timepoint.THEN, Timepoint.FOLLOW_UP)
QUIZ_TIMEPOINTS = (Timepoint.PRE, Timepoint.POST)
TIMEPOINT_ORDER = {tp.value: n for n, tp in enumerate(SURVEY_TIMEPOINTS, start=1)}
TIMEPOINT_LABELS = {
    Timepoint.PRE: "before the module",
    Timepoint.POST: "after the module",
    Timepoint.THEN: "thinking back, asked after the module",
    Timepoint.FOLLOW_UP: "at follow-up",
}
QUIZ_LABELS = {0: "Incorrect", 1: "Correct"}
MAX_ITEM_KEY = 22
PREFIX_LETTERS = 6


@dataclass(eq=False)
class Item:
    """One statement or question in one version."""

    kind: str  # "survey" or "quiz"
    id: int
    instrument: Instrument
    version: int
    position: int
    block_id: str
    item_key: str
    text: str
    scale_min: int
    scale_max: int
    labels: dict[int, str]
    reverse_coded: bool = False
    competency: str = ""
    case: str = ""


@dataclass(eq=False)
class Instrument:
    kind: str  # "survey" or "quiz"
    id: int
    key: str
    title: str
    prefix: str
    #: Items of every version, in version then position order.
    items: list[Item] = field(default_factory=list)
    #: Item keys in the order of their first appearance.
    item_keys: list[str] = field(default_factory=list)
    #: Version number per item key, for the codebook.
    versions_by_key: dict[str, list[int]] = field(default_factory=dict)
    timepoints: tuple[str, ...] = ()
    sort: int = 0

    def latest(self, item_key: str) -> Item:
        return [item for item in self.items if item.item_key == item_key][-1]


@dataclass
class Variable:
    """One column of the wide file (and one row of the codebook)."""

    name: str
    label: str
    type: str  # "text", "date", "int", "item", "quiz", "mean", "percent"
    form: str = "person"
    instrument: Instrument | None = None
    item_key: str = ""
    timepoint: str = ""
    value_labels: dict[int, str] = field(default_factory=dict)
    identifier: bool = False
    note: str = ""
    minimum: int | None = None
    maximum: int | None = None


PERSON_VARIABLES = [
    Variable(
        "pid",
        "Pseudonymous id: the same person has the same pid throughout one key's exports",
        "text",
        identifier=True,
    ),
    Variable("region", "Region of the person's office", "text"),
    Variable(
        "office",
        "Office, or the region's small offices together where the export has fewer than k"
        " people in the office",
        "text",
    ),
    Variable("role", "Role: Work coach, Team leader or Other", "text"),
    Variable("module", "The module (its web address name)", "text"),
    Variable("started_on", "The day the person started the module (UK time)", "date"),
    Variable("completed_on", "The day the person completed the module (UK time)", "date"),
    Variable(
        "reaction_rating",
        "How useful the person found the module (asked after it)",
        "int",
        value_labels=dict(REACTION_CHOICES),
        minimum=1,
        maximum=5,
    ),
]


def initials(key: str) -> str:
    words = [w for w in re.split(r"[^a-z0-9]+", key.lower()) if w]
    letters = "".join(word[0] for word in words)[:PREFIX_LETTERS] or "i"
    return letters if letters[0].isalpha() else "i" + letters[: PREFIX_LETTERS - 1]


def prefixes(instruments: list[tuple[int, str]]) -> dict[int, str]:
    """Prefix per instrument id, from (id, key) pairs of one kind."""
    by_initials: dict[str, list[int]] = {}
    for pk, key in sorted(instruments):
        by_initials.setdefault(initials(key), []).append(pk)
    result = {}
    for letters, pks in by_initials.items():
        for n, pk in enumerate(pks):
            result[pk] = letters if n == 0 else f"{letters}{pk}"
    return result


def item_key(prefix: str, letter: str, first_version: int, position: int) -> str:
    version = f"v{first_version}" if first_version > 1 else ""
    key = f"{prefix}_{version}{letter}{position:02d}"
    if len(key) > MAX_ITEM_KEY:  # pragma: no cover - needs ids of seven digits or more
        raise ValueError(f"Item key {key} is longer than {MAX_ITEM_KEY} characters.")
    return key


@dataclass
class Catalogue:
    """The instruments of the modules being exported, with every version's items."""

    modules: list[tuple[int, str]]  # (page id, slug) in page order
    instruments: list[Instrument]
    survey_items: dict[int, Item]
    quiz_items: dict[int, Item]

    @property
    def items(self) -> list[Item]:
        return [item for instrument in self.instruments for item in instrument.items]

    def variables(self) -> list[Variable]:
        """The wide file's columns, in order."""
        columns = [Variable(**vars(v)) for v in PERSON_VARIABLES]
        for instrument in self.instruments:
            columns.extend(instrument_variables(instrument))
        return columns


def instrument_variables(instrument: Instrument) -> list[Variable]:
    columns = []
    for timepoint in instrument.timepoints:
        when = TIMEPOINT_LABELS[timepoint]
        for key in instrument.item_keys:
            item = instrument.latest(key)
            if instrument.kind == "survey":
                columns.append(
                    Variable(
                        f"{key}_{timepoint}",
                        f"{item.text} ({when})",
                        "item",
                        form=instrument.key,
                        instrument=instrument,
                        item_key=key,
                        timepoint=timepoint,
                        value_labels=dict(item.labels),
                        minimum=item.scale_min,
                        maximum=item.scale_max,
                        note="Reverse coded." if item.reverse_coded else "",
                    )
                )
            else:
                columns.append(
                    Variable(
                        f"{key}_{timepoint}",
                        f"Correct: {item.text} ({when})",
                        "quiz",
                        form=instrument.key,
                        instrument=instrument,
                        item_key=key,
                        timepoint=timepoint,
                        value_labels=dict(QUIZ_LABELS),
                        minimum=0,
                        maximum=1,
                    )
                )
        if instrument.kind == "survey":
            columns.append(
                Variable(
                    f"{instrument.prefix}_mean_{timepoint}",
                    f"{instrument.title}: mean of the answered statements ({when}),"
                    " reverse-coded statements reversed",
                    "mean",
                    form=instrument.key,
                    instrument=instrument,
                    timepoint=timepoint,
                )
            )
        else:
            columns.append(
                Variable(
                    f"{instrument.prefix}_pct_{timepoint}",
                    f"{instrument.title}: per cent of questions correct ({when})",
                    "percent",
                    form=instrument.key,
                    instrument=instrument,
                    timepoint=timepoint,
                    minimum=0,
                    maximum=100,
                )
            )
    if instrument.kind == "quiz" and Timepoint.POST in instrument.timepoints:
        columns.append(
            Variable(
                f"{instrument.prefix}_attempts_post",
                f"{instrument.title}: attempts at the quiz after the module"
                " (the _post columns are from the first)",
                "int",
                form=instrument.key,
                instrument=instrument,
            )
        )
    return columns


def load_catalogue(module_ids: tuple[int, ...] | list[int]) -> Catalogue:
    """Every instrument the modules use now or were answered with, and all their
    versions' items. A handful of queries, whatever the number of answers."""
    pages = list(
        ModulePage.objects.filter(pk__in=module_ids)
        .order_by("path")
        .values_list("pk", "slug", "confidence_survey_id", "quiz_id")
    )
    survey_ids: list[int] = []
    quiz_ids: list[int] = []
    for _, _, survey_id, quiz_id in pages:
        if survey_id:
            survey_ids.append(survey_id)
        if quiz_id:
            quiz_ids.append(quiz_id)
    ids = [pk for pk, *_ in pages]
    answered_surveys = (
        SurveyResponse.objects.filter(module_id__in=ids)
        .order_by()
        .values_list("survey_id", flat=True)
        .distinct()
    )
    answered_quizzes = (
        QuizAttempt.objects.filter(module_id__in=ids)
        .order_by()
        .values_list("quiz_id", "timepoint")
        .distinct()
    )
    survey_ids += [pk for pk in answered_surveys if pk not in survey_ids]
    quiz_timepoints: dict[int, set[str]] = {}
    for pk, timepoint in answered_quizzes:
        quiz_timepoints.setdefault(pk, set()).add(timepoint)
        if pk not in quiz_ids:
            quiz_ids.append(pk)

    survey_prefix = prefixes(list(ConfidenceSurvey.objects.values_list("pk", "key")))
    quiz_prefix = prefixes(list(Quiz.objects.values_list("pk", "key")))
    surveys = {s.pk: s for s in ConfidenceSurvey.objects.filter(pk__in=survey_ids)}
    quizzes = {q.pk: q for q in Quiz.objects.filter(pk__in=quiz_ids)}

    instruments: list[Instrument] = []
    survey_items: dict[int, Item] = {}
    quiz_items: dict[int, Item] = {}

    by_survey: dict[int, Instrument] = {}
    for pk in survey_ids:
        survey = surveys[pk]
        by_survey[pk] = Instrument(
            "survey",
            pk,
            neutralise(survey.key),
            neutralise(survey.title),
            survey_prefix[pk],
            timepoints=tuple(SURVEY_TIMEPOINTS),
        )
    first_seen: dict[tuple[int, str], str] = {}
    for row in (
        SurveyItem.objects.filter(version__survey_id__in=survey_ids)
        .select_related("version")
        .order_by("version__survey_id", "version__number", "position")
    ):
        version = row.version
        instrument = by_survey[version.survey_id]
        key = first_seen.get((instrument.id, row.block_id))
        if key is None:
            key = item_key(instrument.prefix, "q", version.number, row.position)
            first_seen[(instrument.id, row.block_id)] = key
            instrument.item_keys.append(key)
        instrument.versions_by_key.setdefault(key, []).append(version.number)
        item = Item(
            "survey",
            row.pk,
            instrument,
            version.number,
            row.position,
            row.block_id,
            key,
            neutralise(row.statement),
            version.scale_min,
            version.scale_max,
            {v: neutralise(version.label_for(v)) for v in version.scale_values},
            row.reverse_coded,
            row.competency,
        )
        instrument.items.append(item)
        survey_items[row.pk] = item

    by_quiz: dict[int, Instrument] = {}
    for pk in quiz_ids:
        quiz = quizzes[pk]
        extra = tuple(
            tp
            for tp in (Timepoint.FOLLOW_UP,)
            if tp in quiz_timepoints.get(pk, set())  # a follow-up quiz, if ever used
        )
        by_quiz[pk] = Instrument(
            "quiz",
            pk,
            neutralise(quiz.key),
            neutralise(quiz.title),
            quiz_prefix[pk],
            timepoints=tuple(QUIZ_TIMEPOINTS) + extra,
        )
    for row in (
        Question.objects.filter(version__quiz_id__in=quiz_ids)
        .select_related("version")
        .order_by("version__quiz_id", "version__number", "position")
    ):
        version = row.version
        instrument = by_quiz[version.quiz_id]
        key = first_seen.get((-instrument.id, row.block_id))
        if key is None:
            key = item_key(instrument.prefix, "k", version.number, row.position)
            first_seen[(-instrument.id, row.block_id)] = key
            instrument.item_keys.append(key)
        instrument.versions_by_key.setdefault(key, []).append(version.number)
        item = Item(
            "quiz",
            row.pk,
            instrument,
            version.number,
            row.position,
            row.block_id,
            key,
            neutralise(row.text),
            0,
            1,
            dict(QUIZ_LABELS),
            case=neutralise(row.case),
        )
        instrument.items.append(item)
        quiz_items[row.pk] = item

    # Page order: each module's survey, then its quiz; anything answered but no longer
    # used by a module follows.
    ordered: list[Instrument] = []
    for _, _, survey_id, quiz_id in pages:
        for instrument in (by_survey.get(survey_id), by_quiz.get(quiz_id)):
            if instrument is not None and instrument not in ordered:
                ordered.append(instrument)
    for instrument in list(by_survey.values()) + list(by_quiz.values()):
        if instrument not in ordered:
            ordered.append(instrument)
    for n, instrument in enumerate(ordered, start=1):
        instrument.sort = n
        instruments.append(instrument)
    return Catalogue(
        modules=[(pk, slug) for pk, slug, *_ in pages],
        instruments=instruments,
        survey_items=survey_items,
        quiz_items=quiz_items,
    )
