"""Background work for evaluation exports."""

from celery import shared_task

from .exports import services


@shared_task(
    name="evaluation.build_export",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def build_export(job_id: str) -> str:
    """Build one export job's file. Idempotent on the job id: a job that is already
    built is left alone, so a redelivered or repeated task does no harm."""
    return services.run_export_job(job_id)


@shared_task(name="evaluation.delete_expired_exports", ignore_result=True)
def delete_expired_exports() -> int:
    """Hourly: delete the files of exports whose download link has expired."""
    return services.delete_expired_exports()
