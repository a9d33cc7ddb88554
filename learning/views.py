"""The pages a work coach walks through, in order.

Views stay thin: they find the enrolment, send a request for the wrong step to the
right one, and hand posts to ``learning.services``, which checks the step again,
stores answers through ``assessments.services`` and moves the journey on.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from assessments import services as assessments
from assessments.forms import QuizForm, SurveyForm
from assessments.models import QuizAttempt, Timepoint
from content.models import ModulePage

from . import services
from .certificates import certificate_pdf
from .dashboard import module_cards
from .forms import EvaluationChoiceForm
from .journey import DONE, is_before
from .models import Enrolment, Step
from .navigation import step_url

TIMEPOINT_WORDS = {
    Timepoint.PRE: "before the module",
    Timepoint.POST: "after the module",
    Timepoint.FOLLOW_UP: "follow-up",
}


def _module(slug: str) -> ModulePage:
    return get_object_or_404(ModulePage.objects.live(), slug=slug)


def _enrolment(request, module) -> Enrolment | None:
    enrolment = (
        Enrolment.objects.select_related("module", "user")
        .filter(user=request.user, module=module)
        .first()
    )
    return services.refresh_follow_up(enrolment) if enrolment else None


def _elsewhere(request, enrolment, wanted: Step):
    """Where to send a request for ``wanted`` when the coach is at another step."""
    if enrolment is None:
        return redirect("learning:module", module_slug=request.resolver_match.kwargs["module_slug"])
    if is_before(wanted, enrolment.step):
        messages.info(request, "You have already done that step.")
    return redirect(step_url(enrolment))


@login_required
def dashboard(request):
    return render(request, "learning/dashboard.html", {"cards": module_cards(request.user)})


@login_required
def resume(request):
    """Where signing in lands: the step the coach was last working on."""
    enrolment = (
        Enrolment.objects.select_related("module")
        .filter(user=request.user, module__live=True)
        .exclude(step__in=[Step.COMPLETED, Step.FOLLOWED_UP])
        .order_by("-updated_at")
        .first()
    )
    if enrolment is None:
        return redirect("learning:dashboard")
    return redirect(step_url(services.refresh_follow_up(enrolment)))


@login_required
def module(request, module_slug: str):
    module = _module(module_slug)
    enrolment = _enrolment(request, module)
    if enrolment is not None:
        return redirect(step_url(enrolment))
    ready = module.can_be_finished()
    if request.method == "POST" and ready:
        try:
            enrolment = services.enrol(request.user, module)
        except services.ModuleCannotBeFinished:
            ready = False
        else:
            return redirect(step_url(enrolment))
    return render(
        request,
        "learning/start.html",
        {"module": module, "ready": ready, "lesson_count": module.lessons().count()},
        status=200 if ready or request.method == "GET" else 409,
    )


@login_required
def privacy(request, module_slug: str):
    module = _module(module_slug)
    enrolment = _enrolment(request, module)
    if enrolment is None or enrolment.step != Step.PRIVACY:
        return _elsewhere(request, enrolment, Step.PRIVACY)
    choice = services.evaluation_choice(request.user)
    form = EvaluationChoiceForm(
        request.POST if request.method == "POST" else None,
        initial={"take_part": "no" if choice and choice.opted_out else "yes"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.acknowledge_privacy(
                enrolment, opted_out=form.cleaned_data["take_part"] == "no"
            )
        except services.StepOutOfOrder as exc:
            enrolment = exc.enrolment
        return redirect(step_url(enrolment))
    return render(request, "learning/privacy.html", {"module": module, "form": form})


@login_required
def evaluation_choice(request):
    """Change the evaluation choice at any time, from the account page."""
    choice = services.evaluation_choice(request.user)
    form = EvaluationChoiceForm(
        request.POST if request.method == "POST" else None,
        initial={"take_part": "no" if choice and choice.opted_out else "yes"},
    )
    if request.method == "POST" and form.is_valid():
        services.record_evaluation_choice(
            request.user, opted_out=form.cleaned_data["take_part"] == "no"
        )
        messages.success(request, "Your choice has been saved.")
        return redirect("accounts_profile")
    return render(request, "learning/evaluation_choice.html", {"form": form, "choice": choice})


@login_required
def take_quiz(request, module_slug: str, timepoint: str):
    module = _module(module_slug)
    if timepoint not in services.QUIZ_STEPS or not module.has_quiz:
        raise Http404("No such quiz")
    enrolment = _enrolment(request, module)
    wanted = services.QUIZ_STEPS[timepoint]
    if enrolment is None or (enrolment.step != wanted and request.method == "GET"):
        if enrolment is not None and is_before(wanted, enrolment.step):
            latest = QuizAttempt.objects.filter(
                user=request.user, module=module, timepoint=timepoint
            ).last()
            if latest:
                return redirect("learning:quiz_result", attempt_id=latest.pk)
        return _elsewhere(request, enrolment, wanted)
    version = assessments.load_quiz_version(_version_id(request, module.quiz))
    token = request.POST.get("token", "")
    if request.method == "POST":
        form = QuizForm(version, request.POST)
        try:
            attempt = services.answer_quiz(
                enrolment, timepoint=timepoint, version=version, answers=form.answers(), token=token
            )
        except services.StepOutOfOrder as exc:
            return _elsewhere(request, exc.enrolment, wanted)
        except assessments.SubmissionError as exc:
            form.add_service_errors(exc.errors)
        else:
            return redirect("learning:quiz_result", attempt_id=attempt.pk)
    else:
        form = QuizForm(version)
        token = assessments.issue_token(request.user, version)
    attempts_used = services.post_quiz_attempts_used(enrolment) if timepoint == "post" else 0
    return render(
        request,
        "learning/quiz.html",
        {
            "module": module,
            "version": version,
            "form": form,
            "token": token,
            "timepoint": timepoint,
            "timepoint_words": TIMEPOINT_WORDS[timepoint],
            "attempt_number": attempts_used + 1,
        },
    )


def _version_id(request, instrument) -> int:
    """The version the form was rendered with (a post) or the latest (a new form)."""
    posted = request.POST.get("version") if request.method == "POST" else None
    versions = instrument.versions.all()
    if posted:
        if not posted.isdigit() or not versions.filter(pk=int(posted)).exists():
            raise Http404("That version does not belong to this module")
        return int(posted)
    latest = versions.order_by("-number").values_list("pk", flat=True).first()
    if latest is None:
        raise Http404("This module's quiz or survey has not been published yet")
    return latest


@login_required
def quiz_result(request, attempt_id: int):
    attempt = get_object_or_404(
        QuizAttempt.objects.select_related("version", "module"), pk=attempt_id, user=request.user
    )
    module = attempt.module.specific
    enrolment = _enrolment(request, module)
    show_feedback = attempt.timepoint != Timepoint.PRE
    responses = []
    if show_feedback:
        responses = list(
            attempt.responses.select_related("question")
            .prefetch_related("selections__choice", "question__choices")
            .order_by("question__position")
        )
    passed = attempt.percent >= module.pass_mark_percent
    return render(
        request,
        "learning/quiz_result.html",
        {
            "attempt": attempt,
            "module": module,
            "responses": responses,
            "show_feedback": show_feedback,
            "passed": passed,
            "enrolment": enrolment,
            "next_url": step_url(enrolment) if enrolment else module.url,
            "can_retake": (
                enrolment is not None
                and attempt.timepoint == Timepoint.POST
                and enrolment.step == Step.POST_QUIZ
            ),
            "attempts_left": (
                module.post_quiz_attempts - services.post_quiz_attempts_used(enrolment)
                if enrolment and attempt.timepoint == Timepoint.POST
                else 0
            ),
        },
    )


@login_required
def take_survey(request, module_slug: str, timepoint: str):
    module = _module(module_slug)
    if timepoint not in services.SURVEY_STEPS or not module.has_survey:
        raise Http404("No such survey")
    enrolment = _enrolment(request, module)
    wanted = services.SURVEY_STEPS[timepoint]
    if enrolment is None or enrolment.step != wanted:
        return _elsewhere(request, enrolment, wanted)
    version = assessments.load_survey_version(_version_id(request, module.confidence_survey))
    include_then = timepoint == Timepoint.POST
    token = request.POST.get("token", "")
    reaction = request.POST.get("reaction", "")
    reaction_error = None
    if request.method == "POST":
        form = SurveyForm(version, request.POST, include_then=include_then)
        try:
            services.answer_survey(
                enrolment,
                timepoint=timepoint,
                version=version,
                values=form.values(),
                then_values=form.values(then=True) if include_then else None,
                reaction=reaction,
                token=token,
            )
        except services.StepOutOfOrder as exc:
            return _elsewhere(request, exc.enrolment, wanted)
        except assessments.SubmissionError as exc:
            form.add_service_errors({k: v for k, v in exc.errors.items() if k != "reaction"})
            reaction_error = exc.errors.get("reaction")
        else:
            enrolment.refresh_from_db()
            return redirect(step_url(enrolment))
    else:
        form = SurveyForm(version, include_then=include_then)
        token = assessments.issue_token(request.user, version)
    return render(
        request,
        "learning/survey.html",
        {
            "module": module,
            "version": version,
            "form": form,
            "token": token,
            "timepoint": timepoint,
            "include_then": include_then,
            "reaction_choices": services.REACTION_CHOICES if include_then else None,
            "reaction": reaction,
            "reaction_error": reaction_error,
        },
    )


@login_required
def lessons(request, module_slug: str):
    module = _module(module_slug)
    enrolment = _enrolment(request, module)
    if enrolment is None or is_before(enrolment.step, Step.LESSONS):
        return _elsewhere(request, enrolment, Step.LESSONS)
    viewed = services.lessons_viewed(enrolment)
    lesson_list = list(module.lessons())
    if request.method == "POST":
        try:
            enrolment = services.finish_lessons(enrolment)
        except services.StepOutOfOrder as exc:
            return redirect(step_url(exc.enrolment))
        except services.LessonsNotFinished:
            if lesson_list:
                messages.error(request, "Read every lesson before you go on.")
            return redirect("learning:lessons", module_slug=module.slug)
        return redirect(step_url(enrolment))
    return render(
        request,
        "learning/lessons.html",
        {
            "module": module,
            "enrolment": enrolment,
            "lessons": [(lesson, lesson.pk in viewed) for lesson in lesson_list],
            "all_viewed": bool(lesson_list) and all(lesson.pk in viewed for lesson in lesson_list),
            "at_lessons_step": enrolment.step == Step.LESSONS,
            "next_lesson": next(
                (lesson for lesson in lesson_list if lesson.pk not in viewed), None
            ),
        },
    )


@login_required
def completed(request, module_slug: str):
    module = _module(module_slug)
    enrolment = _enrolment(request, module)
    if enrolment is None or enrolment.step not in DONE:
        return _elsewhere(request, enrolment, Step.COMPLETED)
    return render(request, "learning/completed.html", {"module": module, "enrolment": enrolment})


@login_required
def certificate(request, module_slug: str, pdf: bool = False):
    module = _module(module_slug)
    enrolment = _enrolment(request, module)
    if enrolment is None or enrolment.completed_at is None:
        raise Http404("No certificate yet")
    verify_url = request.build_absolute_uri(
        reverse("certificate_verify_code", args=[enrolment.certificate_code])
    )
    if pdf:
        response = HttpResponse(
            certificate_pdf(enrolment, verify_url), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="certificate-{module.slug}-{enrolment.certificate_code}.pdf"'
        )
        return response
    return render(
        request,
        "learning/certificate.html",
        {"module": module, "enrolment": enrolment, "verify_url": verify_url},
    )


def verify_certificate(request, code: str | None = None):
    """Public: anyone can check a certificate's code. Shows no name."""
    code = (code or request.GET.get("code") or "").strip().upper().replace(" ", "")
    enrolment = None
    error = None
    if code:
        enrolment = (
            Enrolment.objects.select_related("module")
            .filter(certificate_code=code, completed_at__isnull=False)
            .first()
        )
    elif "code" in request.GET:
        error = "Enter the verification code from the certificate"
    return render(
        request,
        "learning/verify.html",
        {"code": code, "enrolment": enrolment, "checked": bool(code), "error": error},
    )
