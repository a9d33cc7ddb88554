"""Every change to a coach's journey goes through these functions.

Each one checks the enrolment is at the step the action belongs to and, if not,
raises ``StepOutOfOrder`` having changed nothing. Quiz and survey answers are stored
through ``assessments.services`` in the same transaction as the step they complete.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessments
from assessments.models import QuizAttempt, Timepoint
from assessments.services import SubmissionError

from .journey import DONE, Event, transition
from .models import (
    Enrolment,
    EvaluationChoice,
    LessonProgress,
    Step,
    new_certificate_code,
)

REMINDER_INTERVAL = timedelta(days=7)
MAX_REMINDERS = 3


class StepOutOfOrder(Exception):
    """The action belongs to another step than the one the enrolment is at."""

    def __init__(self, enrolment: Enrolment):
        self.enrolment = enrolment
        super().__init__(f"Enrolment {enrolment.pk} is at step {enrolment.step}")


class LessonsNotFinished(Exception):
    pass


class ModuleCannotBeFinished(Exception):
    """The module is missing something a coach needs to finish it (see
    ``ModulePage.finish_problems``), so nobody is enrolled."""


# Evaluation choice ---------------------------------------------------------------


def evaluation_choice(user) -> EvaluationChoice | None:
    return EvaluationChoice.objects.filter(user=user).order_by("-chosen_at", "-pk").first()


def has_opted_out(user) -> bool:
    choice = evaluation_choice(user)
    return bool(choice and choice.opted_out)


def opted_out_user_ids():
    """A subquery of the ids of everyone whose choice in force is "do not use my
    answers", for ``.exclude(user__in=...)``: it runs inside the caller's query.

    The choice in force is the latest; an opt-out counts when no later choice
    exists, so only opt-out rows are looked at (a few per cent of all choices)."""
    from django.db.models import Exists, OuterRef, Q

    later = EvaluationChoice.objects.filter(user_id=OuterRef("user_id")).filter(
        Q(chosen_at__gt=OuterRef("chosen_at"))
        | Q(chosen_at=OuterRef("chosen_at"), pk__gt=OuterRef("pk"))
    )
    return EvaluationChoice.objects.filter(opted_out=True).filter(~Exists(later)).values("user_id")


def record_evaluation_choice(user, *, opted_out: bool) -> EvaluationChoice:
    """Append the choice, with its time, unless it is the same as the one in force."""
    current = evaluation_choice(user)
    if current and current.opted_out == opted_out:
        return current
    return EvaluationChoice.objects.create(user=user, opted_out=opted_out, chosen_at=timezone.now())


# Enrolment -----------------------------------------------------------------------


def enrol(user, module) -> Enrolment:
    """Start a module, or return the enrolment already started. Nobody is enrolled in
    a module that cannot be finished as it stands."""
    existing = Enrolment.objects.filter(user=user, module=module).first()
    if existing is not None:
        return existing
    if not module.can_be_finished():
        raise ModuleCannotBeFinished(module.title)
    try:
        with transaction.atomic():
            enrolment, _ = Enrolment.objects.get_or_create(
                user=user,
                module=module,
                defaults={"step": Step.PRIVACY, "started_at": timezone.now()},
            )
    except IntegrityError:
        enrolment = Enrolment.objects.get(user=user, module=module)
    return enrolment


def _locked(enrolment: Enrolment, expected: set[Step]) -> Enrolment:
    """Re-read the enrolment under a row lock and check its step."""
    locked = Enrolment.objects.select_for_update().select_related("module").get(pk=enrolment.pk)
    if locked.step not in expected:
        raise StepOutOfOrder(locked)
    return locked


def _move(enrolment: Enrolment, event: Event, today: date | None = None) -> Enrolment:
    new_step = transition(enrolment.step, event, enrolment.module)
    enrolment.step = new_step
    if new_step == Step.COMPLETED and enrolment.completed_at is None:
        if enrolment.lessons_completed_at is None:
            # A certificate says the lessons were read; nothing else earns one.
            raise LessonsNotFinished("The lessons have not been finished")
        now = timezone.now()
        enrolment.completed_at = now
        enrolment.certificate_code = _unique_certificate_code()
        if enrolment.module.has_survey:
            enrolment.follow_up_due_on = timezone.localdate(now) + timedelta(
                days=enrolment.module.follow_up_days
            )
    enrolment.save()
    return enrolment


def _unique_certificate_code() -> str:
    while True:
        code = new_certificate_code()
        if not Enrolment.objects.filter(certificate_code=code).exists():
            return code


@transaction.atomic
def acknowledge_privacy(enrolment: Enrolment, *, opted_out: bool) -> Enrolment:
    enrolment = _locked(enrolment, {Step.PRIVACY})
    record_evaluation_choice(enrolment.user, opted_out=opted_out)
    return _move(enrolment, Event.PRIVACY_SEEN)


# Quizzes and surveys -------------------------------------------------------------

QUIZ_STEPS = {Timepoint.PRE: Step.PRE_QUIZ, Timepoint.POST: Step.POST_QUIZ}
SURVEY_STEPS = {
    Timepoint.PRE: Step.PRE_SURVEY,
    Timepoint.POST: Step.POST_SURVEY,
    Timepoint.FOLLOW_UP: Step.FOLLOW_UP_DUE,
}


def post_quiz_attempts_used(enrolment: Enrolment) -> int:
    module = enrolment.module
    return assessments.attempt_count(
        user=enrolment.user, module=module, quiz=module.quiz, timepoint=Timepoint.POST
    )


@transaction.atomic
def answer_quiz(enrolment, *, timepoint, version, answers, token):
    """Store a quiz attempt and move the journey on. A replayed form returns the
    stored attempt and moves nothing."""
    try:
        locked = _locked(enrolment, {QUIZ_STEPS[timepoint]})
    except StepOutOfOrder:
        # A replay of a form already stored is answered with its stored attempt.
        token_uuid = assessments.read_token(token, enrolment.user, version)
        existing = QuizAttempt.objects.filter(token=token_uuid).first()
        if existing:
            return existing
        raise
    result = assessments.submit_quiz(
        user=locked.user,
        module=locked.module,
        timepoint=timepoint,
        version=version,
        answers=answers,
        token=token,
    )
    if not result.created:
        return result.attempt
    if timepoint == Timepoint.PRE:
        _move(locked, Event.PRE_QUIZ_DONE)
    elif result.attempt.percent >= locked.module.pass_mark_percent:
        locked.passed = True
        _move(locked, Event.POST_QUIZ_PASSED)
    elif post_quiz_attempts_used(locked) >= locked.module.post_quiz_attempts:
        locked.passed = False
        _move(locked, Event.POST_QUIZ_FAILED_FINAL)
    else:
        _move(locked, Event.POST_QUIZ_FAILED)
    return result.attempt


REACTION_CHOICES = [
    (1, "Not at all useful"),
    (2, "Slightly useful"),
    (3, "Moderately useful"),
    (4, "Very useful"),
    (5, "Extremely useful"),
]


def _clean_reaction(raw) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = 0
    if value not in dict(REACTION_CHOICES):
        raise SubmissionError({"reaction": "Choose how useful the module was"})
    return value


@transaction.atomic
def answer_survey(enrolment, *, timepoint, version, values, then_values=None, reaction=None, token):
    """Store a survey response (with the then-test and the reaction rating after the
    module) and move the journey on, all or nothing."""
    locked = _locked(enrolment, {SURVEY_STEPS[timepoint]})
    errors: dict[str, str] = {}
    try:
        assessments.validate_survey(version, timepoint, values, then_values)
    except SubmissionError as exc:
        errors.update(exc.errors)
    rating = None
    if timepoint == Timepoint.POST:
        try:
            rating = _clean_reaction(reaction)
        except SubmissionError as exc:
            errors.update(exc.errors)
    if errors:
        raise SubmissionError(errors)
    result = assessments.submit_survey(
        user=locked.user,
        module=locked.module,
        timepoint=timepoint,
        version=version,
        values=values,
        then_values=then_values,
        token=token,
    )
    if timepoint == Timepoint.PRE:
        _move(locked, Event.PRE_SURVEY_DONE)
    elif timepoint == Timepoint.POST:
        locked.reaction_rating = rating
        _move(locked, Event.POST_SURVEY_DONE)
    else:
        locked.followed_up_at = timezone.now()
        _move(locked, Event.FOLLOW_UP_DONE)
    return result.response


# Lessons -------------------------------------------------------------------------


def record_lesson_view(enrolment: Enrolment, lesson) -> None:
    LessonProgress.objects.get_or_create(
        enrolment=enrolment, lesson=lesson, defaults={"first_viewed_at": timezone.now()}
    )


def lessons_viewed(enrolment: Enrolment) -> set[int]:
    return set(enrolment.progress.values_list("lesson_id", flat=True))


@transaction.atomic
def finish_lessons(enrolment: Enrolment) -> Enrolment:
    locked = _locked(enrolment, {Step.LESSONS})
    lesson_ids = set(locked.module.lessons().values_list("pk", flat=True))
    if not lesson_ids:
        raise LessonsNotFinished("This module has no lessons to read yet")
    if not lesson_ids <= lessons_viewed(locked):
        raise LessonsNotFinished("Read every lesson before you go on")
    locked.lessons_completed_at = timezone.now()
    return _move(locked, Event.LESSONS_DONE)


# Follow-up -----------------------------------------------------------------------


def refresh_follow_up(enrolment: Enrolment, today: date | None = None) -> Enrolment:
    """Move a completed enrolment to 'follow-up due' once its day has come."""
    today = today or timezone.localdate()
    if (
        enrolment.step == Step.COMPLETED
        and enrolment.follow_up_due_on
        and enrolment.follow_up_due_on <= today
    ):
        with transaction.atomic():
            locked = _locked(enrolment, {Step.COMPLETED})
            return _move(locked, Event.FOLLOW_UP_FALLS_DUE)
    return enrolment


def send_follow_up_reminders(now: datetime | None = None) -> int:
    """Make due follow-ups due and email reminders: at most one every 7 days and 3
    in all, none to anyone who has opted out or already followed up. Each enrolment
    is locked while its reminder is sent and counted, so running this twice, or in
    two workers at once, never sends a reminder twice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    for enrolment in Enrolment.objects.filter(step=Step.COMPLETED, follow_up_due_on__lte=today):
        refresh_follow_up(enrolment, today)
    sent = 0
    candidates = Enrolment.objects.filter(
        step=Step.FOLLOW_UP_DUE, reminders_sent__lt=MAX_REMINDERS
    ).values_list("pk", flat=True)
    for pk in candidates:
        with transaction.atomic():
            enrolment = (
                Enrolment.objects.select_for_update(skip_locked=True)
                .select_related("user", "module")
                .filter(pk=pk, step=Step.FOLLOW_UP_DUE, reminders_sent__lt=MAX_REMINDERS)
                .first()
            )
            if enrolment is None:
                continue
            if enrolment.last_reminder_at and now - enrolment.last_reminder_at < REMINDER_INTERVAL:
                continue
            if has_opted_out(enrolment.user) or not enrolment.user.is_active:
                continue
            _send_reminder(enrolment)
            enrolment.reminders_sent += 1
            enrolment.last_reminder_at = now
            enrolment.save(update_fields=["reminders_sent", "last_reminder_at"])
            sent += 1
    return sent


def _send_reminder(enrolment: Enrolment) -> None:
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "learning:survey", args=[enrolment.module.slug, Timepoint.FOLLOW_UP]
    )
    context = {"enrolment": enrolment, "link": link, "service_name": settings.SERVICE_NAME}
    send_mail(
        subject=f"[{settings.SERVICE_NAME}] Your follow-up survey for {enrolment.module.title}",
        message=render_to_string("learning/email/follow_up_reminder.txt", context),
        from_email=None,
        recipient_list=[enrolment.user.email],
    )


# Reading -------------------------------------------------------------------------


def is_done(enrolment: Enrolment | None) -> bool:
    return bool(enrolment and enrolment.step in DONE)
