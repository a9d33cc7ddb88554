"""The evaluator area's exports: ask for one, watch it being built, download it.

Only people holding ``accounts.export_evaluation`` get in (``evaluator_required``);
everyone sees only their own exports, and a job that is someone else's, expired or
not ready is a 404. The work is done by ``evaluation.exports.services`` and the
``evaluation.build_export`` task.
"""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from .access import EXPORT, evaluator_required
from .exports import services
from .exports.request import CONTENT_TYPES
from .exports.storage import export_storage
from .forms import ExportForm
from .models import ExportFormat


def _job_or_404(request, job_id):
    job = services.job_for(request.user, job_id)
    if job is None:
        raise Http404("No such export.")
    return job


@require_http_methods(["GET", "POST"])
@evaluator_required(EXPORT)
def exports(request):
    form = ExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        job = services.start_export(request.user, form.export_request)
        return redirect("evaluation:export_detail", job_id=job.pk)
    jobs = [(job, services.status_of(job)) for job in services.jobs_for(request.user)]
    return render(
        request,
        "evaluation/exports/index.html",
        {
            "form": form,
            "jobs": jobs,
            "disclosure_k": settings.EVALUATION_DISCLOSURE_K,
            "expiry_days": settings.EVALUATION_EXPORT_EXPIRY_DAYS,
        },
    )


@require_GET
@never_cache
@evaluator_required(EXPORT)
def export_detail(request, job_id):
    job = _job_or_404(request, job_id)
    return render(
        request,
        "evaluation/exports/detail.html",
        {"job": job, "status": services.status_of(job), "filters": job.filters},
    )


@require_GET
@never_cache
@evaluator_required(EXPORT)
def export_status(request, job_id):
    return JsonResponse(services.status_of(_job_or_404(request, job_id)))


@require_GET
@never_cache
@evaluator_required(EXPORT)
def export_download(request, job_id):
    job = _job_or_404(request, job_id)
    if not services.is_downloadable(job):
        raise Http404("This export is not ready or has expired.")
    try:
        handle = export_storage().open(job.file_name, "rb")
    except FileNotFoundError:
        raise Http404("This export's file has gone.") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=job.download_name,
        content_type=CONTENT_TYPES[ExportFormat(job.format)],
    )
