"""Report figures, kept for a few minutes so the overview and repeat visits are quick.

A cached copy is used only while nothing it depends on has changed: the key includes
the newest survey response, quiz attempt, enrolment change and evaluation choice, and
the disclosure threshold, so a new answer or a new opt-out is reflected at once.
Copies expire after five minutes in any case, which bounds how long a change the key
cannot see (an office renamed or moved to another region) takes to show.
"""

from __future__ import annotations

import hashlib
import json

from django.core.cache import cache
from django.db.models import Count, Max

from accounts.models import Office
from assessments.models import QuizAttempt, SurveyResponse
from common.disclosure import default_k
from learning.models import Enrolment, EvaluationChoice

from .report import ReportRequest, build_report
from .serialise import report_figures

TIMEOUT = 300


def _stamp() -> list:
    return [
        SurveyResponse.objects.aggregate(m=Max("pk"))["m"],
        QuizAttempt.objects.aggregate(m=Max("pk"))["m"],
        EvaluationChoice.objects.aggregate(m=Max("pk"))["m"],
        list(Enrolment.objects.aggregate(n=Count("pk"), m=Max("updated_at")).values()),
        list(Office.objects.aggregate(n=Count("pk"), m=Max("pk")).values()),
        default_k(),
    ]


def _key(request: ReportRequest) -> str:
    parts = [
        request.module.pk,
        request.survey_version.pk if request.survey_version else None,
        request.quiz_version.pk if request.quiz_version else None,
        request.since,
        request.until,
        request.region.pk if request.region else None,
        request.office.pk if request.office else None,
        request.role,
        request.by,
        _stamp(),
    ]
    digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
    return f"evaluation-figures:{digest}"


def module_figures(request: ReportRequest) -> dict:
    """``serialise.report_figures`` for the request, from the cache when current."""
    key = _key(request)
    figures = cache.get(key)
    if figures is None:
        figures = report_figures(build_report(request))
        cache.set(key, figures, TIMEOUT)
    return figures
