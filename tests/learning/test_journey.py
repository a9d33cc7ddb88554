"""The state machine, table-driven."""

from types import SimpleNamespace

import pytest

from learning.journey import TRANSITIONS, Event, InvalidTransition, next_step, transition
from learning.models import Step

FULL = SimpleNamespace(has_quiz=True, has_survey=True)
NO_SURVEY = SimpleNamespace(has_quiz=True, has_survey=False)
NO_QUIZ = SimpleNamespace(has_quiz=False, has_survey=True)
NOTHING = SimpleNamespace(has_quiz=False, has_survey=False)

# (module, step, event, expected step)
VALID = [
    (FULL, Step.PRIVACY, Event.PRIVACY_SEEN, Step.PRE_SURVEY),
    (FULL, Step.PRE_SURVEY, Event.PRE_SURVEY_DONE, Step.PRE_QUIZ),
    (FULL, Step.PRE_QUIZ, Event.PRE_QUIZ_DONE, Step.LESSONS),
    (FULL, Step.LESSONS, Event.LESSONS_DONE, Step.POST_QUIZ),
    (FULL, Step.POST_QUIZ, Event.POST_QUIZ_PASSED, Step.POST_SURVEY),
    (FULL, Step.POST_QUIZ, Event.POST_QUIZ_FAILED, Step.POST_QUIZ),
    (FULL, Step.POST_QUIZ, Event.POST_QUIZ_FAILED_FINAL, Step.POST_SURVEY),
    (FULL, Step.POST_SURVEY, Event.POST_SURVEY_DONE, Step.COMPLETED),
    (FULL, Step.COMPLETED, Event.FOLLOW_UP_FALLS_DUE, Step.FOLLOW_UP_DUE),
    (FULL, Step.FOLLOW_UP_DUE, Event.FOLLOW_UP_DONE, Step.FOLLOWED_UP),
    # Steps a module does not use are skipped.
    (NO_SURVEY, Step.PRIVACY, Event.PRIVACY_SEEN, Step.PRE_QUIZ),
    (NO_SURVEY, Step.POST_QUIZ, Event.POST_QUIZ_PASSED, Step.COMPLETED),
    (NO_QUIZ, Step.PRE_SURVEY, Event.PRE_SURVEY_DONE, Step.LESSONS),
    (NO_QUIZ, Step.LESSONS, Event.LESSONS_DONE, Step.POST_SURVEY),
    (NOTHING, Step.PRIVACY, Event.PRIVACY_SEEN, Step.LESSONS),
    (NOTHING, Step.LESSONS, Event.LESSONS_DONE, Step.COMPLETED),
]


@pytest.mark.parametrize(("module", "step", "event", "expected"), VALID)
def test_valid_transitions(module, step, event, expected):
    assert transition(step, event, module) == expected


INVALID = [(step, event) for step in Step for event in Event if (step, event) not in TRANSITIONS]


@pytest.mark.parametrize(("step", "event"), INVALID)
def test_every_other_event_is_refused(step, event):
    with pytest.raises(InvalidTransition):
        transition(step, event, FULL)


def test_no_follow_up_without_a_survey():
    with pytest.raises(InvalidTransition):
        transition(Step.COMPLETED, Event.FOLLOW_UP_FALLS_DUE, NO_SURVEY)


def test_next_step_runs_in_order():
    step, seen = Step.PRIVACY, [Step.PRIVACY]
    while step != Step.COMPLETED:
        step = next_step(step, FULL)
        seen.append(step)
    assert seen == [
        Step.PRIVACY, Step.PRE_SURVEY, Step.PRE_QUIZ, Step.LESSONS,
        Step.POST_QUIZ, Step.POST_SURVEY, Step.COMPLETED,
    ]  # fmt: skip
