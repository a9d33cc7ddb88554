"""Every write to assessments goes through these functions, whether it comes from a
view, a management command or the publishing signal.

- ``publish_version`` freezes a published quiz or survey into version rows.
- ``issue_token`` signs a token for one rendered form; ``submit_quiz`` and
  ``submit_survey`` validate a whole submission, store it in one transaction or
  store nothing, and store a replayed token only once.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.audit import record
from accounts.models import AuditKind

from .models import (
    Choice,
    ChoiceSelection,
    ConfidenceSurvey,
    ItemAnswer,
    Question,
    QuestionResponse,
    Quiz,
    QuizAttempt,
    QuizVersion,
    SurveyItem,
    SurveyResponse,
    SurveyVersion,
    Timepoint,
)
from .scales import SCALES

TOKEN_SALT = "assessments.submission"  # noqa: S105 - a namespace, not a secret
TOKEN_MAX_AGE = 60 * 60 * 24  # a form left open for a day must be reloaded
QUIZ_TIMEPOINTS = {Timepoint.PRE, Timepoint.POST, Timepoint.FOLLOW_UP}
SURVEY_TIMEPOINTS = {Timepoint.PRE, Timepoint.POST, Timepoint.FOLLOW_UP}


class SubmissionError(Exception):
    """A submission that cannot be stored. ``errors`` maps a form field name to the
    message for the coach; nothing has been written."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


# Publishing ----------------------------------------------------------------------


def _hash(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _quiz_snapshot(quiz: Quiz) -> dict:
    questions = []
    for block in quiz.questions:
        value = block.value
        if block.block_type == "true_false":
            answer = bool(value["answer"])
            options = [
                {
                    "id": "true",
                    "text": "True",
                    "correct": answer,
                    "feedback": value["feedback_true"],
                },
                {
                    "id": "false",
                    "text": "False",
                    "correct": not answer,
                    "feedback": value["feedback_false"],
                },
            ]
            text = value["statement"]
        else:
            options = [
                {
                    "id": str(item.id),
                    "text": item.value["text"],
                    "correct": bool(item.value["correct"]),
                    "feedback": item.value["feedback"],
                }
                for item in value["options"].bound_blocks
            ]
            text = value["question"]
        questions.append(
            {
                "id": str(block.id),
                "kind": block.block_type,
                "case": value.get("case", "") or "",
                "text": text,
                "explanation": value["explanation"],
                "options": options,
            }
        )
    return {"title": quiz.title, "introduction": quiz.introduction, "questions": questions}


def _survey_snapshot(survey: ConfidenceSurvey) -> dict:
    scale = SCALES[survey.scale]
    return {
        "title": survey.title,
        "introduction": survey.introduction,
        "stem": survey.stem,
        "then_test_wording": survey.then_test_wording,
        "scale": {
            "key": scale.key,
            "min": scale.minimum,
            "max": scale.maximum,
            "labels": {str(v): scale.label(v) for v in scale.values},
        },
        "items": [
            {
                "id": str(block.id),
                "statement": block.value["statement"],
                "competency": (block.value["competency"] or "").strip(),
                "reverse_coded": bool(block.value["reverse_coded"]),
            }
            for block in survey.items
        ],
    }


def _audit_published(instrument, version, revision) -> None:
    """One audit row per new frozen version, by whoever published the revision."""
    record(
        AuditKind.INSTRUMENT_PUBLISHED,
        actor=getattr(revision, "user", None),
        detail={
            "instrument": instrument._meta.model_name,
            "id": instrument.pk,
            "title": version.title,
            "version": version.number,
        },
    )


@transaction.atomic
def publish_quiz_version(quiz: Quiz, revision=None) -> QuizVersion:
    snapshot = _quiz_snapshot(quiz)
    content_hash = _hash(snapshot)
    latest = quiz.versions.select_for_update().order_by("-number").first()
    if latest and latest.content_hash == content_hash:
        return latest
    version = QuizVersion.objects.create(
        quiz=quiz,
        number=(latest.number + 1) if latest else 1,
        title=snapshot["title"],
        introduction=snapshot["introduction"],
        content_hash=content_hash,
        published_at=timezone.now(),
        revision=revision,
    )
    questions = Question.objects.bulk_create(
        Question(
            version=version,
            block_id=q["id"],
            position=position,
            kind=q["kind"],
            case=q["case"],
            text=q["text"],
            explanation=q["explanation"],
        )
        for position, q in enumerate(snapshot["questions"], start=1)
    )
    Choice.objects.bulk_create(
        Choice(
            question=question,
            block_id=option["id"],
            position=position,
            text=option["text"],
            is_correct=option["correct"],
            feedback=option["feedback"],
        )
        for question, q in zip(questions, snapshot["questions"], strict=True)
        for position, option in enumerate(q["options"], start=1)
    )
    _audit_published(quiz, version, revision)
    return version


@transaction.atomic
def publish_survey_version(survey: ConfidenceSurvey, revision=None) -> SurveyVersion:
    snapshot = _survey_snapshot(survey)
    content_hash = _hash(snapshot)
    latest = survey.versions.select_for_update().order_by("-number").first()
    if latest and latest.content_hash == content_hash:
        return latest
    scale = snapshot["scale"]
    version = SurveyVersion.objects.create(
        survey=survey,
        number=(latest.number + 1) if latest else 1,
        title=snapshot["title"],
        introduction=snapshot["introduction"],
        stem=snapshot["stem"],
        then_test_wording=snapshot["then_test_wording"],
        scale_key=scale["key"],
        scale_min=scale["min"],
        scale_max=scale["max"],
        scale_labels=scale["labels"],
        content_hash=content_hash,
        published_at=timezone.now(),
        revision=revision,
    )
    SurveyItem.objects.bulk_create(
        SurveyItem(
            version=version,
            block_id=item["id"],
            position=position,
            statement=item["statement"],
            competency=item["competency"],
            reverse_coded=item["reverse_coded"],
        )
        for position, item in enumerate(snapshot["items"], start=1)
    )
    _audit_published(survey, version, revision)
    return version


def publish_version(instrument, revision=None):
    """Freeze the live content of a quiz or survey as a new version, unless it is the
    same as the latest version, which is then returned unchanged."""
    if isinstance(instrument, Quiz):
        return publish_quiz_version(instrument, revision)
    if isinstance(instrument, ConfidenceSurvey):
        return publish_survey_version(instrument, revision)
    raise TypeError(f"Cannot publish a version of {type(instrument).__name__}")


# Tokens --------------------------------------------------------------------------


def issue_token(user, version) -> str:
    """A signed token for one rendered form, tied to the person and the version."""
    payload = {
        "u": user.pk,
        "v": f"{version._meta.label_lower}:{version.pk}",
        "t": uuid.uuid4().hex,
    }
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def read_token(token: str, user, version) -> uuid.UUID:
    try:
        payload = signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise SubmissionError(
            {"__all__": "This page was open too long, so your answers were not saved."}
        ) from exc
    except signing.BadSignature as exc:
        raise SubmissionError(
            {"__all__": "Your answers could not be saved. Reload the page and answer again."}
        ) from exc
    if (
        payload.get("u") != user.pk
        or payload.get("v") != f"{version._meta.label_lower}:{version.pk}"
    ):
        raise SubmissionError(
            {"__all__": "Your answers could not be saved. Reload the page and answer again."}
        )
    return uuid.UUID(payload["t"])


# Quizzes -------------------------------------------------------------------------


def load_quiz_version(version_id: int) -> QuizVersion:
    """A version with its questions and choices, in three queries whatever its size."""
    return (
        QuizVersion.objects.select_related("quiz")
        .prefetch_related("questions__choices")
        .get(pk=version_id)
    )


def question_field(question: Question) -> str:
    return f"question-{question.pk}"


def score_question(question: Question, selected_ids: Iterable[int]) -> bool:
    """Right only if exactly the correct options were chosen: one for single choice,
    scenario and true/false; every correct one, and nothing else, for multiple choice."""
    correct = {choice.pk for choice in question.choices.all() if choice.is_correct}
    return set(selected_ids) == correct


def validate_quiz_answers(
    version: QuizVersion, answers: Mapping[int, Iterable[int | str]]
) -> dict[int, list[int]]:
    """Check a whole quiz submission; return the chosen choice ids per question id."""
    errors: dict[str, str] = {}
    cleaned: dict[int, list[int]] = {}
    for question in version.questions.all():
        field = question_field(question)
        raw = answers.get(question.pk) or []
        try:
            selected = sorted({int(value) for value in raw})
        except (TypeError, ValueError):
            errors[field] = f"Question {question.position}: choose one of the answers shown"
            continue
        valid_ids = {choice.pk for choice in question.choices.all()}
        if not selected:
            errors[field] = (
                f"Question {question.position}: select at least one answer"
                if question.allows_many
                else f"Question {question.position}: select an answer"
            )
        elif not set(selected) <= valid_ids:
            errors[field] = f"Question {question.position}: choose one of the answers shown"
        elif not question.allows_many and len(selected) != 1:
            errors[field] = f"Question {question.position}: select only one answer"
        else:
            cleaned[question.pk] = selected
    unknown = set(answers) - {q.pk for q in version.questions.all()}
    if unknown:
        errors["__all__"] = "Some answers were for questions that are not in this quiz."
    if errors:
        raise SubmissionError(errors)
    return cleaned


@dataclass
class QuizSubmission:
    attempt: QuizAttempt
    created: bool


def submit_quiz(
    *,
    user,
    module,
    timepoint: str,
    version: QuizVersion,
    answers: Mapping[int, Iterable[int | str]],
    token: str,
) -> QuizSubmission:
    """Score and store a quiz attempt, all or nothing.

    ``version`` should come from ``load_quiz_version`` so that validation and scoring
    use prefetched rows: the number of queries does not grow with the quiz.
    """
    if timepoint not in QUIZ_TIMEPOINTS:
        raise SubmissionError({"__all__": f"A quiz cannot be taken at timepoint '{timepoint}'."})
    token_uuid = read_token(token, user, version)
    existing = QuizAttempt.objects.filter(token=token_uuid).first()
    if existing:
        return QuizSubmission(existing, created=False)
    cleaned = validate_quiz_answers(version, answers)
    questions = list(version.questions.all())
    results = {q.pk: score_question(q, cleaned[q.pk]) for q in questions}
    try:
        with transaction.atomic():
            attempt = _create_attempt(user, module, timepoint, version, token_uuid, results)
            responses = QuestionResponse.objects.bulk_create(
                QuestionResponse(attempt=attempt, question=q, is_correct=results[q.pk])
                for q in questions
            )
            ChoiceSelection.objects.bulk_create(
                ChoiceSelection(response=response, choice_id=choice_id)
                for response, q in zip(responses, questions, strict=True)
                for choice_id in cleaned[q.pk]
            )
    except IntegrityError:
        # The same form was posted twice at once: the other request stored it.
        existing = QuizAttempt.objects.filter(token=token_uuid).first()
        if existing:
            return QuizSubmission(existing, created=False)
        raise
    return QuizSubmission(attempt, created=True)


def _create_attempt(user, module, timepoint, version, token_uuid, results) -> QuizAttempt:
    """Number the attempt. The unique constraint on the number makes a duplicate
    impossible; if another attempt took the number first, try the next one."""
    for _ in range(3):
        previous = QuizAttempt.objects.filter(
            user=user, module=module, quiz_id=version.quiz_id, timepoint=timepoint
        ).aggregate(last=Max("number"))["last"]
        try:
            with transaction.atomic():
                return QuizAttempt.objects.create(
                    user=user,
                    module=module,
                    quiz_id=version.quiz_id,
                    version=version,
                    timepoint=timepoint,
                    number=(previous or 0) + 1,
                    score=sum(results.values()),
                    max_score=len(results),
                    token=token_uuid,
                    submitted_at=timezone.now(),
                )
        except IntegrityError:
            if QuizAttempt.objects.filter(token=token_uuid).exists():
                raise
    raise IntegrityError("Could not number the quiz attempt")


def attempt_count(*, user, module, quiz, timepoint: str) -> int:
    return QuizAttempt.objects.filter(
        user=user, module=module, quiz=quiz, timepoint=timepoint
    ).count()


# Surveys -------------------------------------------------------------------------


def load_survey_version(version_id: int) -> SurveyVersion:
    return (
        SurveyVersion.objects.select_related("survey").prefetch_related("items").get(pk=version_id)
    )


def item_field(item: SurveyItem, then: bool = False) -> str:
    return f"{'then' if then else 'item'}-{item.pk}"


def _validate_values(
    version: SurveyVersion, values: Mapping[int, int | str], then: bool, errors: dict
) -> dict[int, int]:
    cleaned = {}
    for item in version.items.all():
        field = item_field(item, then)
        raw = values.get(item.pk)
        prefix = "Thinking back: " if then else ""
        if raw in (None, ""):
            errors[field] = f"{prefix}Choose an answer for ‘{item.statement}’"
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            errors[field] = f"{prefix}Choose one of the answers shown for ‘{item.statement}’"
            continue
        if not version.scale_min <= value <= version.scale_max:
            errors[field] = f"{prefix}Choose one of the answers shown for ‘{item.statement}’"
            continue
        cleaned[item.pk] = value
    unknown = set(values) - {item.pk for item in version.items.all()}
    if unknown:
        errors["__all__"] = "Some answers were for statements that are not in this survey."
    return cleaned


def validate_survey(
    version: SurveyVersion,
    timepoint: str,
    values: Mapping[int, int | str],
    then_values: Mapping[int, int | str] | None = None,
) -> tuple[dict[int, int], dict[int, int]]:
    """Check every answer is given and on the scale; return them as numbers."""
    errors: dict[str, str] = {}
    cleaned = _validate_values(version, values, False, errors)
    cleaned_then: dict[int, int] = {}
    if timepoint == Timepoint.POST:
        cleaned_then = _validate_values(version, then_values or {}, True, errors)
    elif then_values:
        errors["__all__"] = "Thinking-back answers are only asked after the module."
    if errors:
        raise SubmissionError(errors)
    return cleaned, cleaned_then


@dataclass
class SurveySubmission:
    response: SurveyResponse
    created: bool


def submit_survey(
    *,
    user,
    module,
    timepoint: str,
    version: SurveyVersion,
    values: Mapping[int, int | str],
    then_values: Mapping[int, int | str] | None = None,
    token: str,
) -> SurveySubmission:
    """Store a survey response (and, after the module, the then-test answers given
    with it), all or nothing. A person answers each timepoint once."""
    if timepoint not in SURVEY_TIMEPOINTS:
        raise SubmissionError({"__all__": f"A survey cannot be answered at '{timepoint}'."})
    token_uuid = read_token(token, user, version)
    existing = SurveyResponse.objects.filter(token=token_uuid).first()
    if existing:
        return SurveySubmission(existing, created=False)
    cleaned, cleaned_then = validate_survey(version, timepoint, values, then_values)
    already = SurveyResponse.objects.filter(
        user=user, module=module, survey_id=version.survey_id, timepoint=timepoint
    ).first()
    if already:
        return SurveySubmission(already, created=False)
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                user=user,
                module=module,
                survey_id=version.survey_id,
                version=version,
                timepoint=timepoint,
                token=token_uuid,
                submitted_at=timezone.now(),
            )
            answers = [
                ItemAnswer(response=response, item_id=item_id, timepoint=timepoint, value=value)
                for item_id, value in cleaned.items()
            ] + [
                ItemAnswer(
                    response=response, item_id=item_id, timepoint=Timepoint.THEN, value=value
                )
                for item_id, value in cleaned_then.items()
            ]
            ItemAnswer.objects.bulk_create(answers)
    except IntegrityError:
        existing = SurveyResponse.objects.filter(
            user=user, module=module, survey_id=version.survey_id, timepoint=timepoint
        ).first()
        if existing:
            return SurveySubmission(existing, created=False)
        raise
    return SurveySubmission(response, created=True)


@transaction.atomic
def delete_unanswered_versions(instrument) -> None:
    """Remove the frozen versions of an instrument nobody has answered, so the
    instrument itself can be deleted. Refuses (ImmutableVersionError) otherwise."""
    for version in instrument.versions.all():
        version.guard()
        if isinstance(version, QuizVersion):
            Choice.objects.filter(question__version=version).delete()
            version.questions.all().delete()
        else:
            version.items.all().delete()
        version.delete()
