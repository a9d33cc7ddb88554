"""Writing answers straight into the tables, for tests of the evaluation figures.

The figures read only what is stored, so these builders skip the journey and store
exactly what a test describes: who enrolled when, which survey answers they gave at
which timepoint, and which quiz questions they got right.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from assessments.models import (
    ItemAnswer,
    Question,
    QuestionResponse,
    QuizAttempt,
    SurveyItem,
    SurveyResponse,
    SurveyVersion,
)
from learning.models import Enrolment, EvaluationChoice


def enrol(user, module, *, started: datetime | None = None, rating: int | None = None):
    return Enrolment.objects.create(
        user=user,
        module=module,
        started_at=started or timezone.now() - timedelta(days=30),
        reaction_rating=rating,
    )


def opt_out(user):
    return EvaluationChoice.objects.create(user=user, opted_out=True, chosen_at=timezone.now())


def survey(user, module, version: SurveyVersion, timepoint: str, values, then=None):
    """Answer every item of ``version`` at ``timepoint``: ``values`` is one value for
    all items or a list in item order; ``then`` likewise for the then-test."""
    items = list(SurveyItem.objects.filter(version=version).order_by("position"))
    response = SurveyResponse.objects.create(
        user=user,
        module=module,
        survey=version.survey,
        version=version,
        timepoint=timepoint,
        token=uuid.uuid4(),
        submitted_at=timezone.now(),
    )

    def spread(given):
        return given if isinstance(given, list | tuple) else [given] * len(items)

    rows = [
        ItemAnswer(response=response, item=item, timepoint=timepoint, value=value)
        for item, value in zip(items, spread(values), strict=True)
    ]
    if then is not None:
        rows += [
            ItemAnswer(response=response, item=item, timepoint="then", value=value)
            for item, value in zip(items, spread(then), strict=True)
        ]
    ItemAnswer.objects.bulk_create(rows)
    return response


def quiz(user, module, version, timepoint: str, correct, number: int = 1):
    """One attempt: ``correct`` is a list of booleans in question order, or one
    boolean for every question."""
    questions = list(Question.objects.filter(version=version).order_by("position"))
    if isinstance(correct, bool):
        correct = [correct] * len(questions)
    attempt = QuizAttempt.objects.create(
        user=user,
        module=module,
        quiz=version.quiz,
        version=version,
        timepoint=timepoint,
        number=number,
        score=sum(correct),
        max_score=len(questions),
        token=uuid.uuid4(),
        submitted_at=timezone.now(),
    )
    QuestionResponse.objects.bulk_create(
        QuestionResponse(attempt=attempt, question=question, is_correct=right)
        for question, right in zip(questions, correct, strict=True)
    )
    return attempt
