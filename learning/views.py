"""The pages a work coach answers quizzes and surveys on.

Views stay thin: they find the module and the frozen version, render the form, and
hand a post to ``assessments.services``, which validates and stores it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from assessments import services
from assessments.forms import QuizForm, SurveyForm
from assessments.models import QuizAttempt, Timepoint
from content.models import ModulePage

TIMEPOINT_WORDS = {
    Timepoint.PRE: "before the module",
    Timepoint.POST: "after the module",
    Timepoint.FOLLOW_UP: "follow-up",
}


def _module(slug: str) -> ModulePage:
    return get_object_or_404(ModulePage.objects.live(), slug=slug)


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
def take_quiz(request, module_slug: str, timepoint: str):
    module = _module(module_slug)
    if timepoint not in services.QUIZ_TIMEPOINTS or module.quiz_id is None:
        raise Http404("No such quiz")
    version = services.load_quiz_version(_version_id(request, module.quiz))
    if request.method == "POST":
        form = QuizForm(version, request.POST)
        try:
            result = services.submit_quiz(
                user=request.user,
                module=module,
                timepoint=timepoint,
                version=version,
                answers=form.answers(),
                token=request.POST.get("token", ""),
            )
        except services.SubmissionError as exc:
            form.add_service_errors(exc.errors)
            token = request.POST.get("token", "")
        else:
            return redirect("learning:quiz_result", attempt_id=result.attempt.pk)
    else:
        form = QuizForm(version)
        token = services.issue_token(request.user, version)
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
        },
    )


@login_required
def quiz_result(request, attempt_id: int):
    attempt = get_object_or_404(
        QuizAttempt.objects.select_related("version", "module"), pk=attempt_id, user=request.user
    )
    module = attempt.module.specific
    show_feedback = attempt.timepoint != Timepoint.PRE
    responses = []
    if show_feedback:
        responses = list(
            attempt.responses.select_related("question")
            .prefetch_related("selections__choice", "question__choices")
            .order_by("question__position")
        )
    return render(
        request,
        "learning/quiz_result.html",
        {
            "attempt": attempt,
            "module": module,
            "responses": responses,
            "show_feedback": show_feedback,
        },
    )


@login_required
def take_survey(request, module_slug: str, timepoint: str):
    module = _module(module_slug)
    if timepoint not in services.SURVEY_TIMEPOINTS or module.confidence_survey_id is None:
        raise Http404("No such survey")
    version = services.load_survey_version(_version_id(request, module.confidence_survey))
    include_then = timepoint == Timepoint.POST
    if request.method == "POST":
        form = SurveyForm(version, request.POST, include_then=include_then)
        try:
            services.submit_survey(
                user=request.user,
                module=module,
                timepoint=timepoint,
                version=version,
                values=form.values(),
                then_values=form.values(then=True) if include_then else None,
                token=request.POST.get("token", ""),
            )
        except services.SubmissionError as exc:
            form.add_service_errors(exc.errors)
            token = request.POST.get("token", "")
        else:
            messages.success(request, "Thank you. Your answers have been saved.")
            return redirect(module.url)
    else:
        form = SurveyForm(version, include_then=include_then)
        token = services.issue_token(request.user, version)
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
        },
    )
