"""Small builders for quizzes and surveys in tests."""

import uuid

from assessments.models import ConfidenceSurvey, Quiz


def option(text, correct=False, feedback=None):
    return {
        "type": "item",
        "id": str(uuid.uuid4()),
        "value": {"text": text, "correct": correct, "feedback": feedback or f"About {text}"},
    }


def single(question="Pick one", correct_index=0, n=3, kind="single_choice", case="A case"):
    value = {
        "question": question,
        "options": [option(f"Option {i}", i == correct_index) for i in range(n)],
        "explanation": "Because.",
    }
    if kind == "scenario":
        value["case"] = case
    return {"type": kind, "id": str(uuid.uuid4()), "value": value}


def multiple(question="Pick all", correct=(0, 1), n=4):
    return {
        "type": "multiple_choice",
        "id": str(uuid.uuid4()),
        "value": {
            "question": question,
            "options": [option(f"Option {i}", i in correct) for i in range(n)],
            "explanation": "Because.",
        },
    }


def true_false(statement="The sky is green", answer=False):
    return {
        "type": "true_false",
        "id": str(uuid.uuid4()),
        "value": {
            "statement": statement,
            "answer": answer,
            "feedback_true": "You said true.",
            "feedback_false": "You said false.",
            "explanation": "Because.",
        },
    }


def make_quiz(questions=None, key=None, publish=True, title="A quiz"):
    quiz = Quiz(
        title=title,
        key=key or f"quiz-{uuid.uuid4().hex[:8]}",
        introduction="Intro",
        questions=questions or [single(), single(kind="scenario"), multiple(), true_false()],
        live=False,
    )
    quiz.save()
    if publish:
        quiz.save_revision().publish()
    return quiz


def survey_item(statement="Asking about use", competency="opening", reverse=False):
    return {
        "type": "item",
        "id": str(uuid.uuid4()),
        "value": {"statement": statement, "competency": competency, "reverse_coded": reverse},
    }


def make_survey(items=None, key=None, scale="confidence_5", publish=True):
    survey = ConfidenceSurvey(
        title="A survey",
        key=key or f"survey-{uuid.uuid4().hex[:8]}",
        introduction="How confident are you?",
        scale=scale,
        items=items or [survey_item(f"Statement {i}") for i in range(3)],
        live=False,
    )
    survey.save()
    if publish:
        survey.save_revision().publish()
    return survey
