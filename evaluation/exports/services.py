"""Every export goes through these functions, from the command line or the web, and
every finished export writes one audit row.

The evaluator area creates an ``ExportJob`` (``start_export``) and a Celery task builds
it (``run_export_job``): the task can run twice for the same job (a retry, or a worker
that died after finishing) and the job is still built once, with one audit row.
"""

from __future__ import annotations

import logging
import os
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import record
from accounts.management.base import command_line_actor
from accounts.models import AuditKind
from evaluation.models import ExportAudit, ExportFormat, ExportJob, ExportSource

from .build import BuildResult, build_file
from .request import ExportError, ExportRequest, request_from_json
from .storage import export_storage

logger = logging.getLogger(__name__)
STORAGE_FOLDER = "evaluation-exports"
FAILED_MESSAGE = "The export could not be built. Try again, and if it fails again contact the team."


# Audit -------------------------------------------------------------------------------


def record_audit(
    *,
    request: ExportRequest,
    result: BuildResult,
    source: str,
    actor: str,
    user=None,
    job: ExportJob | None = None,
) -> ExportAudit:
    audit = ExportAudit.objects.create(
        user=user,
        actor=actor[:254],
        source=source,
        format=request.format,
        key_id=request.key_id,
        filters=request.filters(),
        row_count=result.rows,
        row_counts=result.row_counts,
        people=result.people,
        sha256=result.sha256,
        job=job,
    )
    # The general audit log names the export and points at its full record.
    record(
        AuditKind.EXPORT,
        actor=user,
        actor_label=None if user is not None else actor,
        detail={
            "export_audit_id": audit.pk,
            "source": source,
            "format": request.format,
            "key_id": request.key_id,
            "rows": result.rows,
            "people": result.people,
        },
    )
    return audit


# Command line ------------------------------------------------------------------------


def check_output_path(output: str | os.PathLike) -> Path:
    path = Path(output).expanduser()
    if path.is_dir():
        raise ExportError(f"--output {path} is a folder: give a file name.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"Cannot write {path}: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"Cannot write {path}: the folder {folder} is not writable.")
    if path.exists() and not os.access(path, os.W_OK):
        raise ExportError(f"Cannot write {path}: the file exists and is not writable.")
    return path


def export_to_path(
    request: ExportRequest, output: str | os.PathLike, *, actor: str | None = None, user=None
) -> tuple[BuildResult, ExportAudit]:
    """Build the export into a hidden file beside ``output``, move it into place, and
    write the audit row. On any failure no file is left behind."""
    path = check_output_path(output)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 closed at once, renamed below
        dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False
    )
    handle.close()
    temporary = Path(handle.name)
    moved = False
    try:
        result = build_file(request, temporary, name=path.name)
        os.replace(temporary, path)
        moved = True
        result.path = path
        with transaction.atomic():
            audit = record_audit(
                request=request,
                result=result,
                source=ExportSource.COMMAND_LINE,
                actor=actor or command_line_actor(),
                user=user,
            )
    except BaseException:
        temporary.unlink(missing_ok=True)
        if moved:
            path.unlink(missing_ok=True)
        raise
    return result, audit


# Evaluator area ----------------------------------------------------------------------


@transaction.atomic
def start_export(user, request: ExportRequest) -> ExportJob:
    """Record the job and queue its task once the job is committed."""
    from evaluation.tasks import build_export

    job = ExportJob.objects.create(
        requester=user,
        format=request.format,
        key_id=request.key_id,
        filters=request.to_json(),
    )
    build_export.delay_on_commit(str(job.pk))
    return job


def progress_key(job_id) -> str:
    return f"evaluation-export-progress:{job_id}"


def _progress_reporter(job_id):
    last = {"percent": -1}

    def report(fraction: float) -> None:
        percent = int(fraction * 100)
        if percent != last["percent"]:
            last["percent"] = percent
            cache.set(progress_key(job_id), percent, timeout=24 * 3600)

    return report


def _claim(job_id) -> ExportJob | None:
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (ExportJob.Status.READY, ExportJob.Status.EXPIRED):
            return None
        job.status = ExportJob.Status.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.progress = 0
        job.error = ""
        job.save(update_fields=["status", "attempts", "started_at", "progress", "error"])
        return job


def _fail(job_id, message: str) -> None:
    with transaction.atomic():
        ExportJob.objects.filter(pk=job_id).exclude(status=ExportJob.Status.READY).update(
            status=ExportJob.Status.FAILED, error=message, finished_at=timezone.now()
        )
    cache.delete(progress_key(job_id))


def run_export_job(job_id) -> str:
    """Build the job's file, store it, and write the audit row. Safe to run more than
    once for the same job: a job already built is left alone. Returns the status."""
    job = _claim(job_id)
    if job is None:
        job = ExportJob.objects.filter(pk=job_id).first()
        return job.status if job else "missing"
    stored = ""
    try:
        request = request_from_json(job.filters)
        download_name = request.file_name(job.created_at)
        with tempfile.TemporaryDirectory(prefix="coach-academy-export-") as work:
            path = Path(work) / download_name
            result = build_file(
                request, path, progress=_progress_reporter(job.pk), name=download_name
            )
            with open(path, "rb") as handle:
                # A name of its own per run: a second run never overwrites the first.
                stored = export_storage().save(
                    f"{STORAGE_FOLDER}/{job.pk}-{uuid.uuid4().hex[:12]}{path.suffix}", File(handle)
                )
        with transaction.atomic():
            job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
            if job is None or job.status == ExportJob.Status.READY:
                # Deleted meanwhile, or another run of the task finished first.
                export_storage().delete(stored)
                return job.status if job else "missing"
            now = timezone.now()
            job.status = ExportJob.Status.READY
            job.progress = 100
            job.file_name = stored
            job.download_name = download_name
            job.file_size = result.size
            job.sha256 = result.sha256
            job.row_count = result.rows
            job.manifest = result.manifest
            job.finished_at = now
            job.expires_at = now + timedelta(days=settings.EVALUATION_EXPORT_EXPIRY_DAYS)
            job.save()
            record_audit(
                request=request,
                result=result,
                source=ExportSource.WEB,
                actor=job.requester.email,
                user=job.requester,
                job=job,
            )
        cache.delete(progress_key(job_id))
        return ExportJob.Status.READY
    except ExportError as exc:
        _discard(stored)
        _fail(job_id, str(exc))
        return ExportJob.Status.FAILED
    except IntegrityError:
        # The audit row for this job exists: another run finished it.
        _discard(stored)
        return ExportJob.Status.READY
    except Exception:
        logger.exception("Export %s failed", job_id)
        _discard(stored)
        _fail(job_id, FAILED_MESSAGE)
        return ExportJob.Status.FAILED


def _discard(stored: str) -> None:
    if stored:
        try:
            export_storage().delete(stored)
        except Exception:  # noqa: BLE001 best effort; the beat task retries nothing
            logger.warning("Could not delete %s", stored)


def delete_expired_exports(now=None) -> int:
    """Delete the files of exports past their expiry and mark the jobs expired."""
    now = now or timezone.now()
    deleted = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.READY, expires_at__lte=now):
        if job.file_name:
            export_storage().delete(job.file_name)
        deleted += ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.READY).update(
            status=ExportJob.Status.EXPIRED, file_name=""
        )
    return deleted


# Reading jobs ------------------------------------------------------------------------


def jobs_for(user, limit: int = 20):
    return ExportJob.objects.filter(requester=user).order_by("-created_at")[:limit]


def job_for(user, job_id) -> ExportJob | None:
    """The user's own job, or None (someone else's job is as good as missing)."""
    return ExportJob.objects.filter(pk=job_id, requester=user).first()


def is_downloadable(job: ExportJob, now=None) -> bool:
    now = now or timezone.now()
    return (
        job.status == ExportJob.Status.READY
        and bool(job.file_name)
        and job.expires_at is not None
        and job.expires_at > now
    )


def progress_of(job: ExportJob) -> int:
    if job.status == ExportJob.Status.RUNNING:
        return max(job.progress, int(cache.get(progress_key(job.pk)) or 0))
    if job.status in (ExportJob.Status.READY, ExportJob.Status.EXPIRED):
        return 100
    return job.progress


def status_of(job: ExportJob) -> dict:
    downloadable = is_downloadable(job)
    return {
        "id": str(job.pk),
        "status": job.status,
        "status_label": job.get_status_display(),
        "progress": progress_of(job),
        "finished": job.is_finished,
        "error": job.error,
        "download_url": reverse("evaluation:export_download", args=[job.pk])
        if downloadable
        else None,
        "expires_at": job.expires_at.isoformat() if job.expires_at and downloadable else None,
        "rows": job.row_count,
        "format": job.format,
        "format_label": ExportFormat(job.format).label,
    }
