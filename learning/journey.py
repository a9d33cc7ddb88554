"""The order of a module's steps, as data.

``transition(step, event, module)`` is the whole state machine: a table of which
event moves which step on. Steps a module does not use (its trainer ticked "no quiz" or
"no survey") are skipped.
"""

from __future__ import annotations

from enum import StrEnum

from .models import Step

ORDER = [
    Step.PRIVACY,
    Step.PRE_SURVEY,
    Step.PRE_QUIZ,
    Step.LESSONS,
    Step.POST_QUIZ,
    Step.POST_SURVEY,
    Step.COMPLETED,
    Step.FOLLOW_UP_DUE,
    Step.FOLLOWED_UP,
]
NEEDS_SURVEY = {Step.PRE_SURVEY, Step.POST_SURVEY, Step.FOLLOW_UP_DUE, Step.FOLLOWED_UP}
NEEDS_QUIZ = {Step.PRE_QUIZ, Step.POST_QUIZ}
# Steps after which the module counts as done.
DONE = {Step.COMPLETED, Step.FOLLOW_UP_DUE, Step.FOLLOWED_UP}


class Event(StrEnum):
    PRIVACY_SEEN = "privacy_seen"
    PRE_SURVEY_DONE = "pre_survey_done"
    PRE_QUIZ_DONE = "pre_quiz_done"
    LESSONS_DONE = "lessons_done"
    POST_QUIZ_PASSED = "post_quiz_passed"
    POST_QUIZ_FAILED = "post_quiz_failed"  # attempts left: stay and retake
    POST_QUIZ_FAILED_FINAL = "post_quiz_failed_final"  # none left: go on, "not passed"
    POST_SURVEY_DONE = "post_survey_done"
    FOLLOW_UP_FALLS_DUE = "follow_up_falls_due"
    FOLLOW_UP_DONE = "follow_up_done"


ADVANCE = "advance"
TRANSITIONS: dict[tuple[Step, Event], Step | str] = {
    (Step.PRIVACY, Event.PRIVACY_SEEN): ADVANCE,
    (Step.PRE_SURVEY, Event.PRE_SURVEY_DONE): ADVANCE,
    (Step.PRE_QUIZ, Event.PRE_QUIZ_DONE): ADVANCE,
    (Step.LESSONS, Event.LESSONS_DONE): ADVANCE,
    (Step.POST_QUIZ, Event.POST_QUIZ_PASSED): ADVANCE,
    (Step.POST_QUIZ, Event.POST_QUIZ_FAILED): Step.POST_QUIZ,
    (Step.POST_QUIZ, Event.POST_QUIZ_FAILED_FINAL): ADVANCE,
    (Step.POST_SURVEY, Event.POST_SURVEY_DONE): Step.COMPLETED,
    (Step.COMPLETED, Event.FOLLOW_UP_FALLS_DUE): Step.FOLLOW_UP_DUE,
    (Step.FOLLOW_UP_DUE, Event.FOLLOW_UP_DONE): Step.FOLLOWED_UP,
}


class InvalidTransition(Exception):
    pass


def applies(step: Step, module) -> bool:
    if step in NEEDS_SURVEY:
        return module.has_survey
    if step in NEEDS_QUIZ:
        return module.has_quiz
    return True


def next_step(step: Step, module) -> Step:
    """The next step this module uses (COMPLETED always applies)."""
    for candidate in ORDER[ORDER.index(step) + 1 :]:
        if applies(candidate, module):
            return candidate
    return Step.COMPLETED


def transition(step: Step, event: Event, module) -> Step:
    target = TRANSITIONS.get((Step(step), Event(event)))
    if target is None:
        raise InvalidTransition(f"{event} cannot happen at step {step}")
    if target == ADVANCE:
        return next_step(Step(step), module)
    if not applies(target, module):
        raise InvalidTransition(f"{target} does not apply to this module")
    return target


def is_before(step: Step, other: Step) -> bool:
    return ORDER.index(Step(step)) < ORDER.index(Step(other))
