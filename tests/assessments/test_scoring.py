"""Scoring for every question type, table-driven."""

import pytest

from assessments.services import load_quiz_version, score_question
from tests.assessments.builders import make_quiz, multiple, single, true_false

# (question builder, chosen option positions, expected)
CASES = [
    ("single", lambda: single(correct_index=1), [1], True),
    ("single", lambda: single(correct_index=1), [0], False),
    ("single", lambda: single(correct_index=1), [], False),
    ("single", lambda: single(correct_index=1), [0, 1], False),
    ("scenario", lambda: single(kind="scenario", correct_index=2), [2], True),
    ("scenario", lambda: single(kind="scenario", correct_index=2), [1], False),
    ("multiple, all correct", lambda: multiple(correct=(0, 2)), [0, 2], True),
    ("multiple, one missing", lambda: multiple(correct=(0, 2)), [0], False),
    ("multiple, one extra", lambda: multiple(correct=(0, 2)), [0, 2, 3], False),
    ("multiple, wrong ones", lambda: multiple(correct=(0, 2)), [1, 3], False),
    ("multiple, one correct", lambda: multiple(correct=(3,)), [3], True),
    ("true/false, false is right", lambda: true_false(answer=False), [1], True),
    ("true/false, false is right", lambda: true_false(answer=False), [0], False),
    ("true/false, true is right", lambda: true_false(answer=True), [0], True),
    ("true/false, true is right", lambda: true_false(answer=True), [1], False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "build", "chosen", "expected"), CASES)
def test_scoring(label, build, chosen, expected):
    quiz = make_quiz([build()])
    version = load_quiz_version(quiz.latest_version.pk)
    question = version.questions.all()[0]
    choices = list(question.choices.all())
    assert score_question(question, [choices[i].pk for i in chosen]) is expected


@pytest.mark.django_db
def test_true_false_is_frozen_as_two_choices():
    quiz = make_quiz([true_false(answer=True)])
    question = quiz.latest_version.questions.get()
    assert [(c.text, c.is_correct) for c in question.choices.all()] == [
        ("True", True),
        ("False", False),
    ]
    assert question.choices.get(text="False").feedback == "You said false."
